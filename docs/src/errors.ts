/** The docs server's errors: a kind (mapped to one HTTP status in server.ts), a stable code and a message that names the problem. */
export type DocsErrorKind = "invalid" | "too_large" | "not_found" | "forbidden" | "unavailable" | "upstream";

export class DocsError extends Error {
  override readonly name = "DocsError";
  constructor(
    readonly kind: DocsErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const DOCS_ERROR_STATUS: Record<DocsErrorKind, 400 | 403 | 404 | 413 | 502 | 503> = {
  invalid: 400,
  too_large: 413,
  forbidden: 403,
  not_found: 404,
  upstream: 502,
  unavailable: 503,
};
