/**
 * Datanet metadata (summary, description, tags, license) lives off chain as JSON named by a CID.
 * Content is looked up in the local content directory, then an optional IPFS gateway, and a raw
 * SHA-256 CID is checked against the bytes, so a wrong file is never indexed as the Datanet's.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { hexToBytes, type Hex } from "viem";
import { cidToString, rawCidDigest } from "@provena/common";
import { sha256 } from "@provena/common/node";
import { contentDir, ipfsGateway } from "./settings";

export type DatanetMetadata = {
  metadataStatus: "resolved" | "unavailable" | "invalid";
  summary: string | null;
  description: string | null;
  tags: string[] | null;
  license: string | null;
};

const GATEWAY_TIMEOUT_MS = 5_000;
const LIMITS = { summary: 500, description: 50_000, tag: 64, tags: 32, license: 128 } as const;

const empty = (metadataStatus: DatanetMetadata["metadataStatus"]): DatanetMetadata => ({
  metadataStatus,
  summary: null,
  description: null,
  tags: null,
  license: null,
});

async function fetchContent(cidString: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(join(contentDir(), cidString)));
  } catch {
    // not stored locally: try the gateway
  }
  const gateway = ipfsGateway();
  if (!gateway) return undefined;
  try {
    const response = await fetch(`${gateway.replace(/\/$/, "")}/ipfs/${cidString}`, { signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS) });
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
  } catch {
    return undefined;
  }
}

const isString = (value: unknown, max: number): value is string => typeof value === "string" && value.length <= max;

/** Parses metadata JSON; anything else than the documented shape is "invalid", never half-read. */
export const parseMetadata = (bytes: Uint8Array): DatanetMetadata => {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return empty("invalid");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return empty("invalid");
  const { summary, description, tags, license } = json as Record<string, unknown>;
  const optional = (value: unknown, max: number) => value === undefined || isString(value, max);
  if (!optional(summary, LIMITS.summary) || !optional(description, LIMITS.description) || !optional(license, LIMITS.license)) {
    return empty("invalid");
  }
  if (tags !== undefined && !(Array.isArray(tags) && tags.length <= LIMITS.tags && tags.every((tag) => isString(tag, LIMITS.tag)))) {
    return empty("invalid");
  }
  return {
    metadataStatus: "resolved",
    summary: (summary as string | undefined) ?? null,
    description: (description as string | undefined) ?? null,
    tags: (tags as string[] | undefined) ?? null,
    license: (license as string | undefined) ?? null,
  };
};

export async function resolveMetadata(cid: Hex): Promise<DatanetMetadata> {
  const bytes = await fetchContent(cidToString(hexToBytes(cid)));
  if (!bytes) return empty("unavailable");
  const digest = rawCidDigest(cid);
  if (digest !== undefined && digest !== sha256(bytes)) {
    return empty("invalid");
  }
  return parseMetadata(bytes);
}
