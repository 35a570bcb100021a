/**
 * Near-duplicate images: a 64-bit perceptual hash (DCT of a 32×32 greyscale thumbnail, the 8×8
 * lowest frequencies against their median) and the Hamming distance between two hashes. Resizing,
 * re-encoding and small edits move a hash by a few bits; a different picture by about half of them.
 */
import { decodeStrictly, openImage } from "../decode/image.js";

const SIDE = 32;
const LOW = 8;

/** cos((2x + 1)uπ / 2N) for the DCT-II, computed once. */
const COSINES = Array.from({ length: LOW }, (_, u) =>
  Float64Array.from({ length: SIDE }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIDE))),
);

/** The 8×8 lowest-frequency coefficients of the 2-D DCT-II of a 32×32 image (row-major). */
function lowFrequencies(pixels: Uint8Array): Float64Array {
  // Rows first (32 × 8), then columns (8 × 8): separable, so ~16k multiplications in all.
  const rows = new Float64Array(SIDE * LOW);
  for (let y = 0; y < SIDE; y++) {
    for (let u = 0; u < LOW; u++) {
      let sum = 0;
      for (let x = 0; x < SIDE; x++) sum += pixels[y * SIDE + x]! * COSINES[u]![x]!;
      rows[y * LOW + u] = sum;
    }
  }
  const result = new Float64Array(LOW * LOW);
  for (let v = 0; v < LOW; v++) {
    for (let u = 0; u < LOW; u++) {
      let sum = 0;
      for (let y = 0; y < SIDE; y++) sum += rows[y * LOW + u]! * COSINES[v]![y]!;
      result[v * LOW + u] = sum;
    }
  }
  return result;
}

/** The hash of decoded pixels: bit i set when coefficient i is above the median (the DC term excluded from it). */
export function hashThumbnail(pixels: Uint8Array): bigint {
  if (pixels.length !== SIDE * SIDE)
    throw new RangeError(`a ${SIDE}×${SIDE} greyscale thumbnail has ${SIDE * SIDE} bytes, not ${pixels.length}`);
  const coefficients = lowFrequencies(pixels);
  const sorted = Array.from(coefficients.subarray(1)).sort((a, b) => a - b); // 63 AC terms
  const median = sorted[31]!;
  let hash = 0n;
  for (let i = 0; i < coefficients.length; i++) if (coefficients[i]! > median) hash |= 1n << BigInt(i);
  return hash;
}

/**
 * The perceptual hash of an encoded image (PNG, JPEG, WebP, TIFF through sharp; BMP through this package's
 * decoder). The whole image is decoded as strictly as the validator decodes it (decode/image.ts), so a file
 * that fails there fails here; `maxPixels` bounds what a decoder may be asked to allocate.
 */
export async function perceptualHash(image: Uint8Array, maxPixels = 100_000_000): Promise<bigint> {
  const opened = await openImage(image, maxPixels);
  if (!opened.ok) throw new Error(opened.message);
  const thumbnail = await decodeStrictly(opened.image, (pipeline) =>
    pipeline.flatten({ background: "#ffffff" }).greyscale().resize(SIDE, SIDE, { fit: "fill", kernel: "cubic" }).raw().toBuffer(),
  );
  if (!thumbnail.ok) throw new Error(thumbnail.message);
  const pixels = thumbnail.value;
  return hashThumbnail(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
}

/** Bits that differ between two hashes (0..64). */
export function hammingDistance(a: bigint, b: bigint): number {
  let diff = a ^ b;
  let count = 0;
  while (diff) {
    diff &= diff - 1n;
    count++;
  }
  return count;
}

/** Hex form, for storing and comparing in a database. */
export const hashHex = (hash: bigint) => hash.toString(16).padStart(16, "0");
