import type { IncomingMessage, ServerResponse } from "node:http";
import { AttestorError, fail } from "../errors.js";
import { errorAnswer } from "./status.js";

const MAX_JSON_BYTES = 1_048_576;

/** A JSON request body, refused past 1 MiB or when it does not parse. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(request.headers["content-type"] ?? ""))
    fail("unsupported_media", "not_json", "send a JSON body (Content-Type: application/json)");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) fail("too_large", "body_too_large", `a JSON body holds at most ${MAX_JSON_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return fail("invalid", "invalid_json", "the body is not valid JSON");
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
  const answer = errorAnswer(error);
  if (answer.status === 500 && !(error instanceof AttestorError)) console.error(error);
  sendJson(response, answer.status, answer.body);
}
