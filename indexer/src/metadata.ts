/**
 * Datanet metadata (summary, description, tags, license) lives off chain as JSON named by a CID. It is
 * fetched here, outside the indexing path: an event handler only records the CID, and this store fetches
 * in the background with bounded concurrency, time and size, so a stalling or flooding gateway (anyone's
 * `setMetadata` can point at one) delays nobody's indexing. Content is looked up in the local content
 * directory, then the optional IPFS gateway; only profile CIDs (CIDv1, SHA-256, raw or dag-pb) are
 * fetched, and the bytes must hash to the CID (a raw CID by its digest, any other by rebuilding it).
 */
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import { cidFromHex, cidMatches, cidProfileViolation } from "@provena/common";
import { sha256 } from "@provena/common/node";

/** From settings.ts (no import: this module is also compiled by the repository's tests, with other resolution). */
export type MetadataSettings = {
  contentDir: string;
  gateway?: string;
  timeoutMs: number;
  maxBytes: number;
  concurrency: number;
  retryMs: number;
};

export type MetadataStatus = "pending" | "resolved" | "unavailable" | "invalid" | "too_large" | "cid_mismatch" | "unsupported_cid";

export type DatanetMetadata = {
  metadataStatus: MetadataStatus;
  /** Why the metadata is not served; null when resolved or pending. */
  metadataError: string | null;
  summary: string | null;
  description: string | null;
  tags: string[] | null;
  license: string | null;
};

const LIMITS = { summary: 500, description: 50_000, tag: 64, tags: 32, license: 128 } as const;
/** Outcomes that may change if asked again (the gateway was down, or served wrong bytes); the others are final. */
const RETRIED: ReadonlySet<MetadataStatus> = new Set(["unavailable", "cid_mismatch"]);
const MAX_ENTRIES = 2_000;

const refused = (metadataStatus: MetadataStatus, metadataError: string | null = null): DatanetMetadata => ({
  metadataStatus,
  metadataError,
  summary: null,
  description: null,
  tags: null,
  license: null,
});

export const PENDING = refused("pending");

const isString = (value: unknown, max: number): value is string => typeof value === "string" && value.length <= max;

/** Parses metadata JSON; anything else than the documented shape is "invalid", never half-read. */
export const parseMetadata = (bytes: Uint8Array): DatanetMetadata => {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return refused("invalid", "the metadata is not UTF-8 JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return refused("invalid", "the metadata is not a JSON object");
  const { summary, description, tags, license } = json as Record<string, unknown>;
  const optional = (value: unknown, max: number) => value === undefined || isString(value, max);
  if (!optional(summary, LIMITS.summary) || !optional(description, LIMITS.description) || !optional(license, LIMITS.license)) {
    return refused("invalid", "summary, description or license is not a string of the allowed length");
  }
  if (tags !== undefined && !(Array.isArray(tags) && tags.length <= LIMITS.tags && tags.every((tag) => isString(tag, LIMITS.tag)))) {
    return refused("invalid", `tags must be at most ${LIMITS.tags} strings of at most ${LIMITS.tag} characters`);
  }
  return {
    metadataStatus: "resolved",
    metadataError: null,
    summary: (summary as string | undefined) ?? null,
    description: (description as string | undefined) ?? null,
    tags: (tags as string[] | undefined) ?? null,
    license: (license as string | undefined) ?? null,
  };
};

type Fetched = { bytes: Uint8Array } | { refused: DatanetMetadata } | undefined;

const tooLarge = (max: number) => ({ refused: refused("too_large", `the metadata is larger than ${max} bytes`) });

async function readLocal(path: string, max: number): Promise<Fetched> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path);
  } catch {
    return undefined; // not stored here
  }
  try {
    if ((await file.stat()).size > max) return tooLarge(max);
    return { bytes: new Uint8Array(await file.readFile()) };
  } finally {
    await file.close();
  }
}

/** Reads at most `max` bytes of a body: a longer one is cut off and refused, never buffered whole. */
async function readBounded(response: Response, max: number): Promise<Fetched> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > max) {
    await response.body?.cancel();
    return tooLarge(max);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += chunk.byteLength;
    if (total > max) {
      await response.body?.cancel().catch(() => {});
      return tooLarge(max);
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes };
}

async function fetchGateway(gateway: string, cidString: string, settings: MetadataSettings): Promise<Fetched> {
  const signal = AbortSignal.timeout(settings.timeoutMs);
  try {
    const response = await fetch(`${gateway.replace(/\/$/, "")}/ipfs/${cidString}`, { signal });
    if (!response.ok) {
      await response.body?.cancel();
      return { refused: refused("unavailable", `the gateway answered ${response.status}`) };
    }
    return await readBounded(response, settings.maxBytes);
  } catch (error) {
    const reason = signal.aborted
      ? `the gateway did not answer within ${settings.timeoutMs} ms`
      : `the gateway could not be read (${error instanceof Error ? error.message : String(error)})`;
    return { refused: refused("unavailable", reason) };
  }
}

/** Fetches and checks the metadata a CID names: never throws, always within the settings' bounds. */
export async function resolveMetadata(cidHex: Hex, settings: MetadataSettings): Promise<DatanetMetadata> {
  const cid = cidFromHex(cidHex);
  if (!cid) return refused("unsupported_cid", "the metadata CID is not a CID");
  const violation = cidProfileViolation(cid);
  if (violation) return refused("unsupported_cid", `the metadata CID is not fetched: ${violation}`);
  const cidString = cid.toString();
  let fetched = await readLocal(join(settings.contentDir, cidString), settings.maxBytes);
  if (!fetched && settings.gateway) fetched = await fetchGateway(settings.gateway, cidString, settings);
  if (!fetched) return refused("unavailable", "the metadata is not in the content directory and no gateway is set");
  if ("refused" in fetched) return fetched.refused;
  if (!(await cidMatches(cid, fetched.bytes, sha256(fetched.bytes)))) {
    return refused("cid_mismatch", `the bytes served for ${cidString} do not hash to that CID`);
  }
  return parseMetadata(fetched.bytes);
}

export type MetadataStore = ReturnType<typeof createMetadataStore>;

/**
 * Metadata by CID, fetched in the background: `get` answers at once (PENDING until fetched) and queues
 * what it does not have; `version` changes with every outcome, for caches of answers that show metadata.
 */
export function createMetadataStore(settings: MetadataSettings, resolve = resolveMetadata) {
  const results = new Map<Hex, { metadata: DatanetMetadata; at: number }>();
  const queued = new Set<Hex>();
  const queue: Hex[] = [];
  let active = 0;
  let version = 0;

  const pump = () => {
    while (active < settings.concurrency && queue.length > 0) {
      const cid = queue.shift()!;
      active += 1;
      void resolve(cid, settings)
        .catch((error: unknown) => refused("unavailable", `the metadata could not be read (${String(error)})`))
        .then((metadata) => {
          results.delete(cid);
          if (results.size >= MAX_ENTRIES) results.delete(results.keys().next().value!);
          results.set(cid, { metadata, at: Date.now() });
          version += 1;
        })
        .finally(() => {
          queued.delete(cid);
          active -= 1;
          pump();
        });
    }
  };

  const want = (cid: Hex) => {
    if (queued.has(cid)) return;
    queued.add(cid);
    queue.push(cid);
    pump();
  };

  const get = (cid: Hex): DatanetMetadata => {
    const known = results.get(cid);
    if (!known) {
      want(cid);
      return PENDING;
    }
    if (RETRIED.has(known.metadata.metadataStatus) && Date.now() - known.at > settings.retryMs) want(cid);
    return known.metadata;
  };

  return { get, want: (cid: Hex) => void get(cid), version: () => version, busy: () => active + queue.length };
}
