import type { IncomingMessage, ServerResponse } from "node:http";
import { BaseError, HttpRequestError, TimeoutError } from "viem";
import { ApiError, fail } from "./errors.js";

const MAX_JSON_BYTES = 1_048_576;

/** A JSON request body, refused past 1 MiB or when it does not parse. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(request.headers["content-type"] ?? ""))
    fail(415, "not_json", "send a JSON body (Content-Type: application/json)");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) fail(413, "body_too_large", `a JSON body holds at most ${MAX_JSON_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return fail(400, "invalid_json", "the body is not valid JSON");
  }
}

/** JSON with bigints written as decimal strings. */
export const toJson = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

export function sendJson(response: ServerResponse, status: number, body: unknown) {
  const text = toJson(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

export function sendError(response: ServerResponse, error: unknown) {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof ApiError) {
    sendJson(response, error.status, { error: error.code, message: error.message, ...(error.details ?? {}) });
    return;
  }
  const unreachable = error instanceof BaseError && error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError);
  if (unreachable) {
    sendJson(response, 503, { error: "chain_unavailable", message: "the chain's RPC node does not answer; try again shortly" });
    return;
  }
  console.error(error);
  sendJson(response, 500, { error: "internal", message: "the attestor failed on this request; it is logged" });
}
