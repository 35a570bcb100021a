/** Why nothing was verified: bad usage (a malformed id), or no deployment or chain to verify against. */
export type VerifyErrorKind = "usage" | "unreachable";

export type VerifyErrorParameters = { details?: string; cause?: unknown };

/**
 * A problem with the request or the setup rather than with what is verified. `message` is the short message,
 * one line (what the CLI prints); `details` and `cause` say more when there is more.
 */
export class VerifyError extends Error {
  override name = "VerifyError";
  readonly kind: VerifyErrorKind;
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(kind: VerifyErrorKind, shortMessage: string, { details, cause }: VerifyErrorParameters = {}) {
    super(shortMessage, cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** The first line of an error's short message (viem's `shortMessage` when it has one). */
export const shortMessage = (error: unknown): string => {
  const e = error as { shortMessage?: string; message?: string };
  return (e?.shortMessage ?? e?.message ?? String(error)).split("\n")[0]!;
};
