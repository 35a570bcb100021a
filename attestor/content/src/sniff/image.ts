/**
 * Image type from content: magic bytes, then the format's header parsed with every offset checked,
 * giving the dimensions. A file is an image only if its header parses; the name never counts.
 * Declared dimensions above `maxPixels` are refused before anything is decoded (decompression bombs).
 */
import { crc32 } from "node:zlib";
import { fileTypeByName, type FileTypeName } from "@provena/common";
import { bmpLayout } from "../decode/bmp.js";
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

/**
 * Every segment, through each scan's entropy-coded data, to the end-of-image marker, which must end the file:
 * a cut file has none, and data after it (another file riding along) is refused.
 */
/**
 * The images an APP2 "MPF" segment (CIPA DC-007 multi-picture format) declares after the first: where
 * phones put a depth or HDR gain map (Ultra HDR) and MPO cameras their second view, after the first image's
 * end. Offsets count from the segment's TIFF header; undefined when the segment does not parse.
 */
function multiPicture(bytes: Uint8Array, segment: number, length: number): { start: number; end: number }[] | undefined {
  const base = segment + 8; // after the marker, the length and "MPF\0"
  const stop = segment + 2 + length;
  if (ascii(bytes, segment + 4, 4) !== "MPF\u0000" || base + 8 > stop) return undefined;
  const little = ascii(bytes, base, 2) === "II";
  const data = view(bytes);
  const ifd = base + data.getUint32(base + 4, little);
  if (ifd + 2 > stop) return undefined;
  const entries = data.getUint16(ifd, little);
  for (let i = 0; i < entries && ifd + 2 + i * 12 + 12 <= stop; i++) {
    const at = ifd + 2 + i * 12;
    if (data.getUint16(at, little) !== 0xb002) continue; // MPEntry: 16 bytes an image
    const count = data.getUint32(at + 4, little);
    const list = base + data.getUint32(at + 8, little);
    if (count % 16 !== 0 || list + count > stop) return undefined;
    const images: { start: number; end: number }[] = [];
    for (let k = 16; k < count; k += 16) {
      const [size, offset] = [data.getUint32(list + k + 4, little), data.getUint32(list + k + 8, little)];
      images.push({ start: base + offset, end: base + offset + size });
    }
    return images;
  }
  return undefined;
}

/** `nested`: an image a multi-picture segment declares, whose own such segment is not followed (no recursion). */
function jpeg(bytes: Uint8Array, nested = false): Header {
  const data = view(bytes);
  let size: { width: number; height: number } | undefined;
  let pictures: { start: number; end: number }[] | undefined;
  let at = 2;
  while (at + 2 <= bytes.length) {
    if (bytes[at] !== 0xff) {
      // Stray bytes between segments after the frame header: libjpeg skips them to the next marker (with a
      // warning the validator takes as harmless), so the file is read on. Before it, this is not a JPEG.
      if (!size) return `no marker at byte ${at}`;
      at = bytes.indexOf(0xff, at);
      if (at < 0) break;
      continue;
    }
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) {
      if (!size) return "no frame header before the end of the image";
      const after = bytes.length - (at + 2);
      if (after === 0) return size;
      // After the end: only the further images a multi-picture segment declares, each a whole JPEG, to the file's end.
      if (pictures && pictures.length > 0) {
        const ordered = [...pictures].sort((a, b) => a.start - b.start);
        const inside = ordered.every((p, k) => p.start >= (k === 0 ? at + 2 : ordered[k - 1]!.end) && p.end <= bytes.length);
        if (inside && ordered.at(-1)!.end === bytes.length) {
          for (const p of ordered) {
            const image = bytes.subarray(p.start, p.end);
            const parsed = image[0] === 0xff && image[1] === 0xd8 ? jpeg(image, true) : "no start-of-image marker";
            if (typeof parsed === "string") return `the image its multi-picture segment declares at byte ${p.start}: ${parsed}`;
          }
          return size;
        }
      }
      return `${after} bytes after the end-of-image marker (data appended)`;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (at + 4 > bytes.length) break;
    const length = data.getUint16(at + 2);
    if (length < 2) return `segment length ${length} at byte ${at}`;
    if (marker === 0xe2 && !nested && !pictures && !size) pictures = multiPicture(bytes, at, length);
    if (SOF.has(marker)) {
      if (at + 9 > bytes.length || length < 8) return "truncated frame header";
      const [height, width] = [data.getUint16(at + 5), data.getUint16(at + 7)];
      if (width === 0 || height === 0) return `invalid dimensions ${width}×${height}`;
      size ??= { width, height };
    }
    at += 2 + length;
    if (marker === 0xda) {
      if (!size) return "no frame header before the image data";
      // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart marker.
      for (;;) {
        at = bytes.indexOf(0xff, at);
        if (at < 0 || at + 1 >= bytes.length) return "truncated: the image data has no end-of-image marker";
        const next = bytes[at + 1]!;
        if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) at += next === 0xff ? 1 : 2;
        else break;
      }
    }
  }
  return size ? "truncated: no end-of-image marker" : "truncated before its frame header";
}

// ------------------------------------------------------------------ WebP

function webp(bytes: Uint8Array): Header {
  if (bytes.length < 30) return "truncated before its first chunk's header";
  const data = view(bytes);
  const riffSize = data.getUint32(4, true);
  // The RIFF size is the file's: one that says less leaves data after the image's end (a size left 0 by a
  // writer that could not seek back is the same: libwebp refuses it too).
  if (riffSize + 8 !== bytes.length)
    return riffSize + 8 > bytes.length
      ? `RIFF size ${riffSize} runs past the file's ${bytes.length} bytes (truncated)`
      : `${bytes.length - 8 - riffSize} bytes after the RIFF data its header declares (data appended)`;
  for (let at = 12; at < bytes.length; ) {
    if (at + 8 > bytes.length) return `a chunk header at byte ${at} is cut short`;
    const size = data.getUint32(at + 4, true);
    if (at + 8 + size > bytes.length) return `chunk "${ascii(bytes, at, 4)}" of ${size} bytes runs past the end`;
    at += 8 + size + (size % 2); // chunks are padded to an even length
  }
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

/** DIB header sizes (core, OS/2 2.x, info, v2 to v5): "BM" alone is too common a start for text ("BMJ 2021…"). */
const BMP_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

/** The headers and the pixel data's extent (decode/bmp.ts reads both); nothing after the pixels or the declared size. */
function bmp(bytes: Uint8Array, limits: ImageLimits): Header {
  const fileSize = view(bytes).getUint32(2, true);
  if (fileSize > bytes.length) return `declared size ${fileSize} runs past the file's ${bytes.length} bytes (truncated)`;
  const parsed = bmpLayout(bytes, limits.maxPixels);
  // Over the pixel limit: its declared dimensions, refused by the caller before the pixel data is looked at.
  if (!parsed.ok) return parsed.error === "too_many_pixels" ? { width: parsed.width, height: parsed.height } : parsed.message;
  const { width, height, end } = parsed.layout;
  // Writers pad the file to the size they declare (Photoshop adds two bytes): the larger of the two is its end.
  const after = bytes.length - Math.max(end, fileSize);
  return after > 0 ? `${after} bytes after its pixel data (data appended)` : { width, height };
}

// ------------------------------------------------------------------ TIFF

const TIFF_WIDTH = 256;
const TIFF_HEIGHT = 257;
/** Where data lies: strips, tiles, an old-style JPEG stream, free space; each as offsets with byte counts. */
const TIFF_EXTENTS = [
  [273, 279],
  [324, 325],
  [513, 514],
  [288, 289],
] as const;
const TIFF_EXTENT_TAGS = new Set<number>(TIFF_EXTENTS.flat());
/** Tags pointing to further directories: SubIFDs, Exif, GPS, Interoperability. */
const TIFF_DIRECTORY_TAGS = new Set([330, 34665, 34853, 40965]);
/** Bytes per value of each field type (TIFF 6.0 and BigTIFF's IFD8 family left out: not classic TIFF). */
const TIFF_TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };
/** Directories read at most: a multipage scan has tens; a chain that loops or fans out without end is refused. */
const TIFF_MAX_DIRECTORIES = 4096;

/**
 * Every directory (the chain of pages and the directories they point to), every value and every strip or
 * tile checked to be inside the file. TIFF has no end marker: its end is the last byte any of these
 * structures uses, and a file that goes on after it (one word of alignment aside) carries data appended.
 */
function tiff(bytes: Uint8Array): Header {
  if (bytes.length < 8) return "truncated before its first directory offset";
  const data = view(bytes);
  const little = bytes[0] === 0x49;
  const u16 = (at: number) => data.getUint16(at, little);
  const u32 = (at: number) => data.getUint32(at, little);
  let size: { width: number; height: number } | undefined;
  let end = 8;
  const pending = [u32(4)];
  const seen = new Set<number>();
  while (pending.length > 0) {
    const ifd = pending.shift()!;
    if (seen.has(ifd)) return `directory at byte ${ifd} is referenced twice (a loop)`;
    if (seen.size >= TIFF_MAX_DIRECTORIES) return `more than ${TIFF_MAX_DIRECTORIES} directories`;
    seen.add(ifd);
    if (ifd < 8 || ifd + 2 > bytes.length) return `directory offset ${ifd} is outside the file`;
    const entries = u16(ifd);
    if (ifd + 2 + entries * 12 + 4 > bytes.length) return `directory of ${entries} entries at byte ${ifd} runs past the end`;
    end = Math.max(end, ifd + 2 + entries * 12 + 4);
    let [width, height] = [0, 0];
    const extents = new Map<number, number[]>();
    for (let i = 0; i < entries; i++) {
      const at = ifd + 2 + i * 12;
      const [tag, type, count] = [u16(at), u16(at + 2), u32(at + 4)];
      const unit = TIFF_TYPE_SIZES[type];
      if (unit === undefined) continue; // readers skip fields of unknown types, and so may we
      const start = count * unit <= 4 ? at + 8 : u32(at + 8);
      if (start + count * unit > bytes.length) return `tag ${tag}'s ${count} values run past the end (truncated)`;
      end = Math.max(end, start + count * unit);
      const values = () =>
        Array.from({ length: Math.min(count, 1 << 20) }, (_, k) => (unit === 2 ? u16(start + 2 * k) : u32(start + 4 * k)));
      if (TIFF_EXTENT_TAGS.has(tag) || TIFF_DIRECTORY_TAGS.has(tag) || tag === TIFF_WIDTH || tag === TIFF_HEIGHT) {
        if (unit !== 2 && unit !== 4) return `tag ${tag} has type ${type}, not SHORT or LONG`;
        if (TIFF_DIRECTORY_TAGS.has(tag)) pending.push(...values());
        else if (tag === TIFF_WIDTH) width = values()[0] ?? 0;
        else if (tag === TIFF_HEIGHT) height = values()[0] ?? 0;
        else extents.set(tag, values());
      }
    }
    for (const [offsetsTag, countsTag] of TIFF_EXTENTS) {
      const [offsets, counts] = [extents.get(offsetsTag), extents.get(countsTag)];
      if (!offsets || !counts) continue;
      if (offsets.length !== counts.length) return `${offsets.length} data offsets but ${counts.length} byte counts`;
      for (const [k, offset] of offsets.entries()) {
        if (offset + counts[k]! > bytes.length)
          return `image data ${k} (bytes ${offset} to ${offset + counts[k]!}) runs past the file's ${bytes.length} bytes (truncated)`;
        end = Math.max(end, offset + counts[k]!);
      }
    }
    // The first directory is the image; the next in its chain are further pages.
    if (!size) {
      const found = dimensions(width, height);
      if (typeof found === "string") return found;
      size = found;
    }
    const next = u32(ifd + 2 + entries * 12);
    if (next !== 0) pending.push(next);
  }
  const after = bytes.length - end;
  // Offsets are word-aligned, so a writer may pad its last structure by one byte.
  return after > 1 ? `${after} bytes after the last data its directories reference (data appended)` : size!;
}

// ------------------------------------------------------------------ entry point

const FORMATS: {
  type: ImageTypeName;
  matches: (bytes: Uint8Array) => boolean;
  parse: (bytes: Uint8Array, limits: ImageLimits) => Header;
}[] = [
  { type: "png", matches: (b) => startsWith(b, PNG_MAGIC), parse: png },
  { type: "jpeg", matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]), parse: (b) => jpeg(b) },
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
  const header = format.parse(bytes, limits);
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
