/** How a failed call to the chain node reads: a fault of the connection, or an answer. */
import { BaseError, HttpRequestError, TimeoutError, WebSocketRequestError } from "viem";

/** The node could not be asked (down, timing out): try again later, rather than judge what was asked. */
export const isUnreachable = (error: unknown) =>
  error instanceof BaseError &&
  Boolean(error.walk((e) => e instanceof HttpRequestError || e instanceof WebSocketRequestError || e instanceof TimeoutError));

/** An error's words, without viem's multi-line details block. */
export const firstLineOf = (error: unknown) => {
  const e = error as { shortMessage?: string; message?: string };
  return String(e?.shortMessage ?? e?.message ?? error).split("\n")[0]!;
};
