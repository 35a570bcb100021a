/** What near-duplicate checks compare: a MinHash of a text's words, or an image's perceptual hash. */
import type { FileTypeName, Modality } from "@provena/common/fileTypes";
import { minhash } from "../dedup/minhash.js";
import type { Fingerprint } from "../dedup/nearIndex.js";
import { perceptualHash } from "../dedup/phash.js";

const utf8 = new TextDecoder();

/** The words a text file holds, for the file types whose text the attestor reads directly. */
export const plainText = (bytes: Uint8Array, type: FileTypeName): string | undefined =>
  type === "txt" || type === "md" ? utf8.decode(bytes) : undefined;

/** The fingerprint of a sniffed file, or undefined for kinds that have no near-duplicate check (audio). */
export async function fingerprintOf(bytes: Uint8Array, type: FileTypeName, modality: Modality): Promise<Fingerprint | undefined> {
  if (modality === "image") return { kind: "image", hash: await perceptualHash(bytes) };
  const text = modality === "text" ? plainText(bytes, type) : undefined;
  return text === undefined ? undefined : { kind: "text", signature: minhash(text) };
}
