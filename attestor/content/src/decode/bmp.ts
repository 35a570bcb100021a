/**
 * Uncompressed BMP (1, 4, 8-bit palette; 16, 24, 32-bit BI_RGB) decoded to raw RGB pixels: the libvips
 * build behind sharp has no BMP loader.
 */
import { view } from "../sniff/bytes.js";

const BI_RGB = 0;

export type RawImage = { width: number; height: number; pixels: Uint8Array };

/**
 * An uncompressed BMP's pixels as top-down RGB, or why not. Header offsets follow the
 * BITMAPINFOHEADER layout (and its V4/V5 extensions, which only add fields after it).
 */
export function decodeBmp(bytes: Uint8Array): RawImage | string {
  if (bytes.length < 54) return "truncated before the end of its headers";
  const data = view(bytes);
  const pixelOffset = data.getUint32(10, true);
  const headerSize = data.getUint32(14, true);
  if (headerSize < 40) return `an OS/2 bitmap header of ${headerSize} bytes is not decoded here`;
  const width = data.getInt32(18, true);
  const signedHeight = data.getInt32(22, true);
  const depth = data.getUint16(28, true);
  const compression = data.getUint32(30, true);
  if (compression !== BI_RGB) return `compression method ${compression} is not decoded here (only uncompressed BI_RGB)`;
  if (![1, 4, 8, 16, 24, 32].includes(depth)) return `bit depth ${depth}`;
  const height = Math.abs(signedHeight);
  if (width <= 0 || height === 0) return `invalid dimensions ${width}×${signedHeight}`;
  const stride = Math.ceil((width * depth) / 32) * 4; // rows are padded to 4 bytes
  if (pixelOffset + stride * height > bytes.length)
    return `its pixel data (${stride * height} bytes from byte ${pixelOffset}) runs past the end of the file`;
  const palette = depth <= 8 ? bmpPalette(bytes, headerSize, depth) : undefined;
  if (typeof palette === "string") return palette;
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (signedHeight > 0 ? height - 1 - y : y) * stride; // positive height: stored bottom-up
    bmpRow(bytes.subarray(row, row + stride), pixels.subarray(y * width * 3, (y + 1) * width * 3), depth, palette);
  }
  return { width, height, pixels };
}

/** The colour table after the header: 4 bytes (B, G, R, 0) an entry; `colorsUsed` 0 means all 2^depth. */
function bmpPalette(bytes: Uint8Array, headerSize: number, depth: number): Uint8Array | string {
  const size = 2 ** depth;
  const used = view(bytes).getUint32(46, true) || size;
  const start = 14 + headerSize;
  if (used > size || start + used * 4 > bytes.length) return `a colour table of ${used} entries does not fit`;
  const palette = new Uint8Array(size * 3); // entries past `used` stay black
  for (let i = 0; i < used; i++) palette.set([bytes[start + i * 4 + 2]!, bytes[start + i * 4 + 1]!, bytes[start + i * 4]!], i * 3);
  return palette;
}

/** One stored row into RGB: palette indices packed high bit first, X1R5G5B5, or B, G, R(, unused). */
function bmpRow(source: Uint8Array, target: Uint8Array, depth: number, palette: Uint8Array | undefined): void {
  const width = target.length / 3;
  for (let x = 0; x < width; x++) {
    const out = x * 3;
    if (palette) {
      const bit = x * depth;
      const index = (source[bit >> 3]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
      target[out] = palette[index * 3]!;
      target[out + 1] = palette[index * 3 + 1]!;
      target[out + 2] = palette[index * 3 + 2]!;
    } else if (depth === 16) {
      const value = source[x * 2]! | (source[x * 2 + 1]! << 8);
      target[out] = (((value >> 10) & 31) * 255) / 31;
      target[out + 1] = (((value >> 5) & 31) * 255) / 31;
      target[out + 2] = ((value & 31) * 255) / 31;
    } else {
      const at = x * (depth / 8);
      target[out] = source[at + 2]!;
      target[out + 1] = source[at + 1]!;
      target[out + 2] = source[at]!;
    }
  }
}
