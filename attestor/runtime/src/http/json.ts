import type { IncomingMessage } from "node:http";
import { fail } from "../errors.js";

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
