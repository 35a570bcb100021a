/**
 * `GET|HEAD /ipfs/:cid`: content by CID, as a trustless gateway would serve it: every block is checked
 * against its CID as it is read, byte ranges are honoured (one range per request), and the answer can
 * never run as a page here (a sandbox CSP, no sniffing). Only CIDs of the project's profile are served.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { cidProfileViolation, fileTypeByCode } from "@provena/common";
import { CID } from "multiformats/cid";
import { type Db, type ContentStore, fail } from "@provena/runtime";
import { contentRange, parseRange } from "./range.js";

/** The CID named, if it is of the project's profile: an identity CID would serve whatever bytes it inlines. */
const parseCid = (text: string): CID => {
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    return fail("invalid", "invalid_cid", `"${text}" is not a CID`);
  }
  const violation = cidProfileViolation(cid);
  if (violation) fail("invalid", "cid_outside_profile", `${text} is not served here: ${violation}`);
  return cid;
};

export function createIpfsHandler(store: ContentStore, db: Db) {
  const typeOf = db.prepare("SELECT type_code FROM upload_file WHERE cid = ? LIMIT 1");
  return async (request: IncomingMessage, response: ServerResponse, cidText: string) => {
    const cid = parseCid(cidText);
    const size = await store.size(cid);
    if (size === undefined) fail("not_found", "not_found", `this node does not hold ${cid.toString()}`);
    const known = typeOf.get(cid.toString()) as { type_code: number } | undefined;
    const mime = (known && fileTypeByCode(known.type_code)?.mime) ?? "application/octet-stream";
    const headers: Record<string, string> = {
      "content-type": mime,
      "accept-ranges": "bytes",
      etag: `"${cid.toString()}"`,
      "cache-control": "public, max-age=29030400, immutable",
      "x-ipfs-path": `/ipfs/${cid.toString()}`,
      "x-content-type-options": "nosniff",
      "content-security-policy": "sandbox",
    };
    const answer = parseRange(request.headers.range, size!);
    if (answer.kind === "unsatisfiable") {
      response.writeHead(416, { ...headers, "content-range": `bytes */${size}` }).end();
      return;
    }
    const range = answer.kind === "partial" ? answer.range : { start: 0, end: size! - 1 };
    const length = size === 0 ? 0 : range.end - range.start + 1;
    response.writeHead(answer.kind === "partial" ? 206 : 200, {
      ...headers,
      "content-length": String(length),
      ...(answer.kind === "partial" ? { "content-range": contentRange(range, size!) } : {}),
    });
    if (request.method === "HEAD" || length === 0) {
      response.end();
      return;
    }
    const abort = new AbortController();
    response.once("close", () => abort.abort());
    try {
      for await (const chunk of store.cat(cid, { offset: range.start, length, signal: abort.signal })) {
        if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
      }
      response.end();
    } catch (error) {
      // Headers are gone: all that is left is to cut the answer short, so no client takes it as whole.
      if (!abort.signal.aborted) console.error(`gateway: ${cid.toString()}: ${(error as Error).message}`);
      response.destroy();
    }
  };
}
