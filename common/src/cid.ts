/**
 * Content addresses for content that fits in one raw block: CIDv1, codec raw (0x55), SHA-256 multihash.
 * Files larger than one chunk get a UnixFS DAG from the attestor's storage; their CID is not this.
 */
import { createHash } from "node:crypto";
import { bytesToHex, concatHex, type Hex } from "viem";

const RAW_SHA256_PREFIX = Uint8Array.of(0x01, 0x55, 0x12, 0x20);
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

export const sha256 = (bytes: Uint8Array): Hex => bytesToHex(createHash("sha256").update(bytes).digest());

export const rawCidBytes = (bytes: Uint8Array): Uint8Array => {
  const digest = createHash("sha256").update(bytes).digest();
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
