/** What near-duplicate checks compare: a MinHash of a text's words, or an image's perceptual hash. */
import type { FileTypeName, Modality } from "@provena/common/fileTypes";
import { minhash, words } from "../dedup/minhash.js";
import type { Fingerprint } from "../dedup/nearIndex.js";
import { perceptualHash } from "../dedup/phash.js";
import { textOf } from "../quality/index.js";

/** The fingerprint of a sniffed file (the words of a PDF or DOCX as of a plain text), or undefined for kinds that have no near-duplicate check (audio). */
export async function fingerprintOf(bytes: Uint8Array, type: FileTypeName, modality: Modality): Promise<Fingerprint | undefined> {
  if (modality === "image") return { kind: "image", hash: await perceptualHash(bytes) };
  const text = modality === "text" ? textOf(bytes, type) : undefined;
  // A document without words (a PDF of blank pages) has nothing to be a near-copy of.
  return text === undefined || words(text).length === 0 ? undefined : { kind: "text", signature: minhash(text) };
}
