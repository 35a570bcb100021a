/** Fetching bytes from an HTTP gateway: bounded in size and time, retried on network errors, 5xx and 429. */
import { shortMessage } from "../errors.js";

const ATTEMPTS = 3;

export type FetchBytesParameters = { url: string; maxBytes: number; timeoutMs: number };

/** The body at `url`. Throws an Error saying what went wrong (not found, too large, cut short, …). */
export async function fetchBytes({ url, maxBytes, timeoutMs }: FetchBytesParameters): Promise<Uint8Array> {
  let lastError: Error = new Error("not fetched");
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      lastError = new Error(shortMessage((error as { cause?: unknown }).cause ?? error));
      continue;
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new Error("not found (404)");
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      lastError = new Error(`the gateway answered ${response.status}`);
      if (response.status >= 500 || response.status === 429) continue;
      throw lastError;
    }
    const read = await readBody(response, maxBytes);
    if ("bytes" in read) return read.bytes;
    if (read.tooLarge) throw read.error;
    lastError = read.error;
  }
  throw lastError;
}

type BodyRead = { bytes: Uint8Array } | { error: Error; tooLarge: boolean };

/** Reads the body with a reader (async iteration of streams is not in every browser), stopping past `maxBytes`. */
async function readBody(response: Response, maxBytes: number): Promise<BodyRead> {
  const reader = response.body!.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return { error: new Error(`the gateway sent more than ${maxBytes} bytes`), tooLarge: true };
      }
      parts.push(value);
    }
  } catch (error) {
    return { error: new Error(`the answer was cut short: ${shortMessage(error)}`), tooLarge: false };
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return { bytes };
}
