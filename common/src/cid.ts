/**
 * The one CID profile every Provena file is stored under, so that the embedded node, an external Kubo
 * node, an auditor and anyone re-adding a file compute the same CID (library defaults differ, so each
 * setting is explicit): CIDv1, SHA-256, raw leaves, fixed 1 MiB chunks, balanced DAG of at most 1,024 links
 * per node, and a file of one chunk is its own raw block. These are the settings of IPIP-499's
 * `unixfs-v1-2025` profile; with Kubo: `ipfs add --cid-version=1 --raw-leaves --chunker=size-1048576`
 * (files ≤ 5 MiB never reach 174 links, Kubo's default, so its link width does not matter here).
 * A file of at most 1 MiB therefore has the raw CID of its SHA-256 (CIDv1, codec raw 0x55, SHA-256
 * multihash); larger files get a UnixFS DAG, whose CID is not their SHA-256.
 *
 * Pure and browser-safe: hashing that needs `node:crypto` is in `./node.ts`.
 */
import { importBytes, type ImporterOptions } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { CID } from "multiformats/cid";
import { bytesToHex, concatHex, hexToBytes, toHex, type Hex } from "viem";

export const CHUNK_BYTES = 1_048_576;
export const MAX_LINKS = 1_024;

/** Multicodecs of a raw block and of a UnixFS (DAG-PB) node, and the multihash code of SHA-256. */
export const RAW_CODEC = 0x55;
export const DAG_PB_CODEC = 0x70;
export const SHA2_256 = 0x12;
const SHA2_256_BYTES = 32;

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

/**
 * The file's blocks under the profile, as a store is handed them: raw leaves named by where they lie in the
 * file (the importer cuts them as views of it, so no bytes need to be kept or sent), other blocks (UnixFS
 * nodes) with their bytes. For a file of one chunk the root is its one leaf.
 */
export type Dag = {
  root: Uint8Array;
  blocks: { cid: Uint8Array; offset: number; length: number }[];
  nodes: { cid: Uint8Array; bytes: Uint8Array }[];
};

/** `cidOf`, keeping the blocks, so that a store can write them without cutting and hashing the file again. */
export async function dagOf(bytes: Uint8Array): Promise<Dag> {
  const blocks: Dag["blocks"] = [];
  const nodes: Dag["nodes"] = [];
  const collect = {
    put: async (cid: CID, block: Uint8Array) => {
      if (block.buffer === bytes.buffer && block.byteOffset >= bytes.byteOffset)
        blocks.push({ cid: cid.bytes.slice(), offset: block.byteOffset - bytes.byteOffset, length: block.length });
      // Copies: a view would carry its whole buffer with it when posted to another thread.
      else nodes.push({ cid: cid.bytes.slice(), bytes: block.slice() });
      return cid;
    },
  };
  const { cid } = await importBytes(bytes, collect, CID_PROFILE);
  return { root: cid.bytes.slice(), blocks, nodes };
}

/** The blocks a `Dag` of `bytes` names. */
export const dagBlocks = (bytes: Uint8Array, dag: Dag): { cid: CID; bytes: Uint8Array }[] => [
  ...dag.blocks.map((block) => ({ cid: CID.decode(block.cid), bytes: bytes.subarray(block.offset, block.offset + block.length) })),
  ...dag.nodes.map((node) => ({ cid: CID.decode(node.cid), bytes: node.bytes })),
];

/** The CID that hex CID bytes (as in records and on chain) name, or undefined if they are not one. */
export function cidFromHex(hex: Hex): CID | undefined {
  try {
    return CID.decode(hexToBytes(hex));
  } catch {
    return undefined;
  }
}

/**
 * Why `cid` is not a CID this profile gives, or undefined when it is one: CIDv1, a SHA-256 multihash, and a
 * raw block or a DAG-PB (UnixFS) root. Anything else is refused where content comes in or goes out; above
 * all an identity CID, which carries its bytes inline: nothing is fetched, so nothing can be pinned or
 * checked, and it can inline a root whose blocks nobody holds.
 */
export function cidProfileViolation(cid: CID): string | undefined {
  if (cid.version !== 1) return `it is a CIDv${cid.version}, not a CIDv1`;
  if (cid.multihash.code !== SHA2_256 || cid.multihash.size !== SHA2_256_BYTES)
    return `its multihash (code 0x${cid.multihash.code.toString(16)}) is not SHA-256`;
  if (cid.code !== RAW_CODEC && cid.code !== DAG_PB_CODEC) return `its codec 0x${cid.code.toString(16)} is neither raw nor dag-pb`;
  return undefined;
}

/** The CID a string ("b…", "Qm…") names, or undefined if it names none. */
export function cidFromString(text: string): CID | undefined {
  try {
    return CID.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Whether `bytes` (whose SHA-256 is `sha256`) are what `cid` names: a raw SHA-256 CID by its digest, any
 * other by recomputing the CID under the profile.
 */
export async function cidMatches(cid: CID, bytes: Uint8Array, sha256: Hex): Promise<boolean> {
  if (cid.code === RAW_CODEC && cid.multihash.code === SHA2_256) return toHex(cid.multihash.digest) === sha256.toLowerCase();
  return (await cidOf(bytes)).equals(cid);
}

const RAW_SHA256_PREFIX = Uint8Array.of(0x01, RAW_CODEC, SHA2_256, 0x20);
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** The raw CID bytes naming content whose SHA-256 digest is `digest` (32 bytes). */
export const rawCidBytesOfDigest = (digest: Uint8Array): Uint8Array => {
  const cid = new Uint8Array(RAW_SHA256_PREFIX.length + digest.length);
  cid.set(RAW_SHA256_PREFIX);
  cid.set(digest, RAW_SHA256_PREFIX.length);
  return cid;
};

/** The raw CID (hex) whose content has this SHA-256 digest. */
export const rawCidOfDigest = (digest: Hex): Hex => concatHex([bytesToHex(RAW_SHA256_PREFIX), digest]);

/** The SHA-256 digest a raw CID names, or undefined for any other kind of CID. */
export const rawCidDigest = (cid: Hex): Hex | undefined => {
  const prefix = bytesToHex(RAW_SHA256_PREFIX);
  return cid.length === prefix.length + 64 && cid.toLowerCase().startsWith(prefix)
    ? (`0x${cid.slice(prefix.length)}`.toLowerCase() as Hex)
    : undefined;
};

/** The multibase base32 string form ("b…") of CID bytes. */
export const cidToString = (cid: Uint8Array): string => {
  let out = "b";
  let buffer = 0;
  let bits = 0;
  for (const byte of cid) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
};
