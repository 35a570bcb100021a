/**
 * The attestor's domain errors, in the manner of viem's `errors/base.ts`: each names what went wrong by
 * kind and by a stable machine code, with a short sentence, optional details and the cause. Domain code
 * names a kind, never an HTTP status: the one map from kind to status is `http/status.ts`.
 */

/** What kind of refusal or failure an error is; the HTTP layer alone decides how to answer it. */
export type ErrorKind =
  /** The request is malformed or names something impossible. */
  | "invalid"
  /** No valid sign-in: a missing, unknown or expired session, or a sign-in that does not check out. */
  | "unauthenticated"
  /** Signed in, but not allowed to do this. */
  | "forbidden"
  | "not_found"
  /** A path the API has, with a method it does not answer there. */
  | "method_not_allowed"
  /** The request contradicts the state it would change (already final, already queued, …). */
  | "conflict"
  | "too_large"
  /** The body is not in a format the endpoint reads. */
  | "unsupported_media"
  /** Well-formed, but refused on its content (a file that fails its checks, an empty dataset, …). */
  | "refused"
  | "rate_limited"
  /** The attestor failed at something it should have done (a missing artifact, a worker's error). */
  | "internal"
  /** A service the attestor relies on answered wrongly (a transaction reverted, an event missing). */
  | "upstream"
  /** Switched off in this attestor's configuration, or not running now. */
  | "unavailable";

export type AttestorErrorOptions = {
  /** Facts a client can act on, returned beside the code and message (e.g. `allowance`, `field`). */
  details?: Record<string, unknown> | undefined;
  /** When to try again, for a refusal that is only for now (busy, at a quota): HTTP's `Retry-After`. */
  retryAfterSeconds?: number | undefined;
  cause?: unknown;
};

export class AttestorError extends Error {
  override name = "AttestorError";
  readonly kind: ErrorKind;
  /** Stable and machine-readable: clients and tests branch on it. */
  readonly code: string;
  readonly shortMessage: string;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: ErrorKind, code: string, shortMessage: string, options: AttestorErrorOptions = {}) {
    // The message is the short sentence alone: it is what a client reads in the answer.
    super(shortMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * A message fit to show a stranger: URLs (an RPC endpoint with its API key, a database URL with its
 * password) become `<url>`. viem's errors name the URL they called, and job errors are public.
 */
export const withoutUrls = (text: string) => text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]+/gi, "<url>");

export const fail = (kind: ErrorKind, code: string, message: string, details?: Record<string, unknown>): never => {
  throw new AttestorError(kind, code, message, { details });
};
