/** An answer that refuses a request: HTTP status, a stable machine code, and a sentence naming the problem. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const fail = (status: number, code: string, message: string, details?: Record<string, unknown>): never => {
  throw new ApiError(status, code, message, details);
};
