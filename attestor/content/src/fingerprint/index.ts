/** What near-duplicate checks compare: a MinHash of a text's words, or an image's perceptual hash. */
import type { FileTypeName, Modality } from "@provena/common";
import { textOf } from "../text/index.js";
import { similarity, wordHashes } from "./minhash.js";
import { fastTextFingerprinter } from "./wasmFingerprint.js";
import { hammingDistance, perceptualHash } from "./phash.js";

export type Fingerprint = { kind: "text"; signature: Uint32Array } | { kind: "image"; hash: bigint };

/** How near two fingerprints must be to count as near-duplicates. */
export type NearThresholds = { textSimilarity: number; imageDistanceBits: number };

export type Closeness = { kind: "text"; similarity: number } | { kind: "image"; distanceBits: number };

/** How close two fingerprints are, when within the thresholds. */
export function compareFingerprints(a: Fingerprint, b: Fingerprint, thresholds: NearThresholds): Closeness | undefined {
  if (a.kind === "text" && b.kind === "text") {
    const score = similarity(a.signature, b.signature);
    return score >= thresholds.textSimilarity ? { kind: "text", similarity: score } : undefined;
  }
  if (a.kind === "image" && b.kind === "image") {
    const distance = hammingDistance(a.hash, b.hash);
    return distance <= thresholds.imageDistanceBits ? { kind: "image", distanceBits: distance } : undefined;
  }
  return undefined;
}

/** The fingerprint of a sniffed file (the words of a PDF or DOCX as of a plain text), or undefined for kinds that have no near-duplicate check (audio). */
export async function fingerprintOf(bytes: Uint8Array, type: FileTypeName, modality: Modality): Promise<Fingerprint | undefined> {
  if (modality === "image") return { kind: "image", hash: await perceptualHash(bytes) };
  if (modality !== "text") return undefined;
  const fingerprinter = await fastTextFingerprinter();
  // A plain text in ASCII is its own words' source: read straight from the bytes, no string made.
  const ascii = type === "txt" || type === "md" ? fingerprinter.asciiWordHashes(bytes) : undefined;
  const text = ascii ? undefined : await textOf(bytes, type);
  const hashes = ascii ?? (text === undefined ? undefined : wordHashes(text));
  // A document without words (a PDF of blank pages) has nothing to be a near-copy of.
  return hashes === undefined || hashes.length === 0 ? undefined : { kind: "text", signature: fingerprinter.signatureOfHashes(hashes) };
}
