/**
 * The one place that turns the attestor's errors into HTTP answers: each domain error kind's status, the
 * JSON body `{ error: <code>, message, ...details }`, and Hono's error and not-found handlers.
 */
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import { AttestorError, type ErrorKind } from "../errors.js";
import { isUnreachable } from "../rpc.js";
import type { AppEnv } from "../service.js";

export const STATUS_OF_KIND = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  refused: 422,
  rate_limited: 429,
  internal: 500,
  upstream: 502,
  unavailable: 503,
} as const satisfies Record<ErrorKind, number>;

export type ErrorStatus = (typeof STATUS_OF_KIND)[ErrorKind];

export type ErrorAnswer = { status: ErrorStatus; body: { error: string; message: string } & Record<string, unknown> };

/** The answer to any error a request ended with; an unknown one is a bare 500 that leaks nothing. */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof AttestorError)
    return { status: STATUS_OF_KIND[error.kind], body: { error: error.code, message: error.message, ...(error.details ?? {}) } };
  if (isUnreachable(error))
    return { status: 503, body: { error: "chain_unavailable", message: "the chain's RPC node does not answer; try again shortly" } };
  return { status: 500, body: { error: "internal", message: "the attestor failed on this request; it is logged" } };
}

/** Bigints in answers are written as decimal strings. */
const toJson = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

/** A JSON answer; its length is given so that a HEAD request's answer carries it too. */
export function jsonAnswer(c: Context, body: unknown, status: 200 | 201 | 202 | ErrorStatus = 200) {
  const text = toJson(body);
  return c.body(text, status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)) });
}

/** Hono's `onError`: the only error handler of the composed app. */
export function onError(error: Error, c: Context<AppEnv>) {
  const { incoming, outgoing } = c.env;
  // A refused upload may still be streaming: read and drop the rest so the client can read the answer.
  if (!incoming.complete) incoming.resume();
  if (outgoing.headersSent) {
    // A streamed answer has begun: all that is left is to cut it short, so no client takes it as whole.
    outgoing.destroy();
    return RESPONSE_ALREADY_SENT;
  }
  const answer = errorAnswer(error);
  if (answer.status === 500 && !(error instanceof AttestorError)) console.error(error);
  if (error instanceof AttestorError && error.retryAfterSeconds !== undefined) c.header("retry-after", String(error.retryAfterSeconds));
  return jsonAnswer(c, answer.body, answer.status);
}

/** Hono's `notFound`: no route has this path. */
export const notFound = (c: Context<AppEnv>) => onError(new AttestorError("not_found", "not_found", `no route ${c.req.path}`), c);
