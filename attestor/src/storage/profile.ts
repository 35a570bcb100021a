/**
 * The one CID profile every Provena file is stored under, so that the embedded node, an external Kubo
 * node and anyone re-adding a file compute the same CID (library defaults differ, so each setting is explicit):
 * CIDv1, SHA-256, raw leaves, fixed 1 MiB chunks, balanced DAG of at most 1,024 links per node, and a
 * file of one chunk is its own raw block. These are the settings of IPIP-499's `unixfs-v1-2025` profile;
 * with Kubo: `ipfs add --cid-version=1 --raw-leaves --chunker=size-1048576` (files ≤ 5 MiB never reach
 * 174 links, Kubo's default, so its link width does not matter for Provena's files).
 * A file of at most 1 MiB therefore has the raw CID of its SHA-256 (`common/src/cid.ts`).
 */
import { importBytes, type ImporterOptions } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { CID } from "multiformats/cid";
import { hexToBytes, type Hex } from "viem";

export const CHUNK_BYTES = 1_048_576;
export const MAX_LINKS = 1_024;

export const CID_PROFILE = {
  cidVersion: 1,
  rawLeaves: true,
  reduceSingleLeafToSelf: true,
  chunker: fixedSize({ chunkSize: CHUNK_BYTES }),
  layout: balanced({ maxChildrenPerNode: MAX_LINKS }),
} as const satisfies ImporterOptions;

/** The same profile in Kubo's RPC terms. */
export const KUBO_ADD_OPTIONS = { cidVersion: 1, rawLeaves: true, chunker: `size-${CHUNK_BYTES}`, hashAlg: "sha2-256" } as const;

const discard = { put: async (cid: CID) => cid };

/** The CID of `bytes` under the profile, computed without storing anything. */
export const cidOf = async (bytes: Uint8Array): Promise<CID> => (await importBytes(bytes, discard, CID_PROFILE)).cid;

/** The CID that hex CID bytes (as in records and on chain) name, or undefined if they are not one. */
export function cidFromHex(hex: Hex): CID | undefined {
  try {
    return CID.decode(hexToBytes(hex));
  } catch {
    return undefined;
  }
}
