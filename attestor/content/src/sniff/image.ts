/**
 * Image type from content: magic bytes, then the format's header parsed with every offset checked,
 * giving the dimensions. A file is an image only if its header parses; the name never counts.
 * Declared dimensions above `maxPixels` are refused before anything is decoded (decompression bombs).
 */
import { crc32 } from "node:zlib";
import { fileTypeByName, type FileTypeName } from "@provena/common";
import { ascii, view } from "./bytes.js";

export type ImageTypeName = Extract<FileTypeName, "png" | "jpeg" | "webp" | "tiff" | "bmp">;

export type SniffErrorCode = "not_image" | "corrupt" | "too_many_pixels";

export type ImageSniff =
  | { ok: true; type: ImageTypeName; code: number; width: number; height: number }
  | { ok: false; error: SniffErrorCode; message: string };

export type ImageLimits = { maxPixels: number };

/** 100 megapixels: above any photo a contributor takes, far below what would exhaust a decoder. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 100_000_000 };

type Header = { width: number; height: number } | string;

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((byte, i) => bytes[i] === byte);

// ------------------------------------------------------------------ PNG

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
/** Allowed bit depths per colour type (PNG spec, table 11.1). */
const PNG_DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

function png(bytes: Uint8Array): Header {
  if (bytes.length < 33) return "truncated before the end of its IHDR chunk";
  const data = view(bytes);
  if (data.getUint32(8) !== 13 || ascii(bytes, 12, 4) !== "IHDR") return "the first chunk is not a 13-byte IHDR";
  if (crc32(bytes.subarray(12, 29)) !== data.getUint32(29)) return "IHDR checksum mismatch";
  const [width, height] = [data.getUint32(16), data.getUint32(20)];
  const [depth, colour, compression, filter, interlace] = [bytes[24]!, bytes[25]!, bytes[26]!, bytes[27]!, bytes[28]!];
  if (!PNG_DEPTHS[colour]?.includes(depth)) return `bit depth ${depth} with colour type ${colour} is not a PNG combination`;
  if (compression !== 0 || filter !== 0 || interlace > 1) return "unknown compression, filter or interlace method";
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) return `invalid dimensions ${width}×${height}`;
  // Every chunk, checksummed, up to an IEND that ends the file: a cut file or one with data appended
  // (another format riding along) is refused here.
  let at = 8;
  let imageData = false;
  while (at + 12 <= bytes.length) {
    const length = data.getUint32(at);
    const type = ascii(bytes, at + 4, 4);
    if (length > 0x7fffffff || at + 12 + length > bytes.length) return `chunk "${type}" at byte ${at} runs past the end`;
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== data.getUint32(at + 8 + length))
      return `chunk "${type}" at byte ${at}: checksum mismatch`;
    at += 12 + length;
    if (type === "IDAT") imageData = true;
    if (type === "IEND") {
      if (!imageData) return "no IDAT chunk before IEND";
      return at === bytes.length ? { width, height } : `${bytes.length - at} bytes after IEND`;
    }
  }
  return "truncated: no IEND chunk";
}

// ------------------------------------------------------------------ JPEG

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic); not DHT (C4), JPG (C8) or DAC (CC). */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpeg(bytes: Uint8Array): Header {
  const data = view(bytes);
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return `no marker at byte ${at}`;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return "no frame header before the image data";
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    const length = data.getUint16(at + 2);
    if (length < 2) return `segment length ${length} at byte ${at}`;
    if (SOF.has(marker)) {
      if (at + 9 > bytes.length || length < 8) return "truncated frame header";
      const [height, width] = [data.getUint16(at + 5), data.getUint16(at + 7)];
      if (width === 0 || height === 0) return `invalid dimensions ${width}×${height}`;
      if (bytes[bytes.length - 2] !== 0xff || bytes[bytes.length - 1] !== 0xd9)
        return "does not end with an end-of-image marker (truncated, or data appended)";
      return { width, height };
    }
    at += 2 + length;
  }
  return "truncated before its frame header";
}

// ------------------------------------------------------------------ WebP

function webp(bytes: Uint8Array): Header {
  if (bytes.length < 30) return "truncated before its first chunk's header";
  const data = view(bytes);
  const riffSize = data.getUint32(4, true);
  if (riffSize + 8 > bytes.length) return `RIFF size ${riffSize} runs past the file's ${bytes.length} bytes`;
  const chunk = ascii(bytes, 12, 4);
  if (chunk === "VP8 ") {
    if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return "VP8 start code missing";
    return dimensions(data.getUint16(26, true) & 0x3fff, data.getUint16(28, true) & 0x3fff);
  }
  if (chunk === "VP8L") {
    if (bytes[20] !== 0x2f) return "VP8L signature missing";
    const bits = data.getUint32(21, true);
    return dimensions((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === "VP8X") {
    const width = 1 + (bytes[24]! | (bytes[25]! << 8) | (bytes[26]! << 16));
    const height = 1 + (bytes[27]! | (bytes[28]! << 8) | (bytes[29]! << 16));
    return dimensions(width, height);
  }
  return `unknown first chunk "${chunk}"`;
}

const dimensions = (width: number, height: number): Header =>
  width === 0 || height === 0 ? `invalid dimensions ${width}×${height}` : { width, height };

// ------------------------------------------------------------------ BMP

const BMP_DEPTHS = new Set([1, 4, 8, 16, 24, 32]);
/** DIB header sizes (core, OS/2 2.x, info, v2 to v5): "BM" alone is too common a start for text ("BMJ 2021…"). */
const BMP_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

function bmp(bytes: Uint8Array): Header {
  if (bytes.length < 26) return "truncated before its bitmap header";
  const data = view(bytes);
  const fileSize = data.getUint32(2, true);
  if (fileSize > bytes.length) return `declared size ${fileSize} runs past the file's ${bytes.length} bytes`;
  const pixelOffset = data.getUint32(10, true);
  if (pixelOffset >= bytes.length) return `pixel data offset ${pixelOffset} is past the end`;
  const headerSize = data.getUint32(14, true);
  if (headerSize === 12) return dimensions(data.getUint16(18, true), data.getUint16(20, true));
  if (headerSize < 40 || 14 + headerSize > bytes.length) return `bitmap header size ${headerSize}`;
  const [width, height] = [data.getInt32(18, true), data.getInt32(22, true)];
  if (data.getUint16(26, true) !== 1) return "planes is not 1";
  const depth = data.getUint16(28, true);
  if (!BMP_DEPTHS.has(depth)) return `bit depth ${depth}`;
  // A negative height means rows are stored top-down.
  if (width <= 0 || height === 0 || height === -0x80000000) return `invalid dimensions ${width}×${height}`;
  return { width, height: Math.abs(height) };
}

// ------------------------------------------------------------------ TIFF

const TIFF_WIDTH = 256;
const TIFF_HEIGHT = 257;
/** Where the image data lies: StripOffsets with StripByteCounts, TileOffsets with TileByteCounts. */
const TIFF_EXTENTS = [
  [273, 279],
  [324, 325],
] as const;
const TIFF_EXTENT_TAGS = new Set<number>(TIFF_EXTENTS.flat());

function tiff(bytes: Uint8Array): Header {
  if (bytes.length < 8) return "truncated before its first directory offset";
  const data = view(bytes);
  const little = bytes[0] === 0x49;
  const ifd = data.getUint32(4, little);
  if (ifd < 8 || ifd + 2 > bytes.length) return `first directory offset ${ifd} is outside the file`;
  const entries = data.getUint16(ifd, little);
  if (ifd + 2 + entries * 12 > bytes.length) return `directory of ${entries} entries runs past the end`;
  let width = 0;
  let height = 0;
  const extents = new Map<number, number[]>();
  for (let i = 0; i < entries; i++) {
    const at = ifd + 2 + i * 12;
    const tag = data.getUint16(at, little);
    const type = data.getUint16(at + 2, little);
    if (TIFF_EXTENT_TAGS.has(tag)) {
      const size = type === 3 ? 2 : type === 4 ? 4 : 0;
      if (!size) return `tag ${tag} has type ${type}, not SHORT or LONG`;
      const count = data.getUint32(at + 4, little);
      const start = count * size <= 4 ? at + 8 : data.getUint32(at + 8, little);
      if (start + count * size > bytes.length) return `tag ${tag}'s ${count} values run past the end`;
      extents.set(
        tag,
        Array.from({ length: count }, (_, k) =>
          size === 2 ? data.getUint16(start + 2 * k, little) : data.getUint32(start + 4 * k, little),
        ),
      );
      continue;
    }
    if (tag !== TIFF_WIDTH && tag !== TIFF_HEIGHT) continue;
    const value = type === 3 ? data.getUint16(at + 8, little) : type === 4 ? data.getUint32(at + 8, little) : -1;
    if (value < 0) return `tag ${tag} has type ${type}, not SHORT or LONG`;
    if (tag === TIFF_WIDTH) width = value;
    else height = value;
  }
  // The image data must be in the file: a TIFF whose directory comes first (as Pillow writes them)
  // and that is cut short still has a whole header.
  for (const [offsetsTag, countsTag] of TIFF_EXTENTS) {
    const [offsets, counts] = [extents.get(offsetsTag), extents.get(countsTag)];
    if (!offsets || !counts) continue;
    if (offsets.length !== counts.length) return `${offsets.length} data offsets but ${counts.length} byte counts`;
    const past = offsets.findIndex((offset, k) => offset + counts[k]! > bytes.length);
    if (past >= 0)
      return `image data ${past} (bytes ${offsets[past]} to ${offsets[past]! + counts[past]!}) runs past the file's ${bytes.length} bytes (truncated)`;
  }
  return dimensions(width, height);
}

// ------------------------------------------------------------------ entry point

const FORMATS: { type: ImageTypeName; matches: (bytes: Uint8Array) => boolean; parse: (bytes: Uint8Array) => Header }[] = [
  { type: "png", matches: (b) => startsWith(b, PNG_MAGIC), parse: png },
  { type: "jpeg", matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]), parse: jpeg },
  { type: "webp", matches: (b) => ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP", parse: webp },
  {
    type: "bmp",
    matches: (b) => ascii(b, 0, 2) === "BM" && b.length >= 18 && BMP_HEADER_SIZES.has(view(b).getUint32(14, true)),
    parse: bmp,
  },
  { type: "tiff", matches: (b) => startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]), parse: tiff },
];

/** The image type and dimensions of `bytes`, or why they are not an acceptable image. Never throws. */
export function sniffImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): ImageSniff {
  const format = FORMATS.find((f) => f.matches(bytes));
  if (!format) return { ok: false, error: "not_image", message: "not a PNG, JPEG, WebP, TIFF or BMP image (no known signature)" };
  const header = format.parse(bytes);
  if (typeof header === "string") return { ok: false, error: "corrupt", message: `corrupt ${format.type.toUpperCase()}: ${header}` };
  const pixels = header.width * header.height;
  if (pixels > limits.maxPixels) {
    return {
      ok: false,
      error: "too_many_pixels",
      message: `${format.type.toUpperCase()} declares ${header.width}×${header.height} = ${pixels.toLocaleString("en-US")} pixels, over the limit of ${limits.maxPixels.toLocaleString("en-US")}`,
    };
  }
  return { ok: true, type: format.type, code: fileTypeByName(format.type).code, ...header };
}
