/**
 * BMP decoded to raw pixels (the libvips build behind sharp has no BMP loader): every variant common writers
 * produce — Windows headers (40-byte BITMAPINFOHEADER, its V2–V5 extensions, OS/2 2.x) and the 12-byte OS/2 1.x
 * core header; palettes of 1, 2, 4 and 8 bits; 16, 24 and 32 bits as BI_RGB or BI_BITFIELDS / BI_ALPHABITFIELDS
 * (RGB565, RGB555, ARGB4444, ARGB8888…); BI_RLE8 and BI_RLE4; bottom-up and top-down rows.
 * Every offset is checked against the file, and the pixel count against a limit before anything is allocated.
 */
import { view } from "../sniff/bytes.js";

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

/** Top-down pixels, 3 (RGB) or 4 (RGBA) bytes each. */
export type RawImage = { width: number; height: number; channels: 3 | 4; pixels: Uint8Array };

export type BmpDecode = { ok: true; image: RawImage } | { ok: false; error: "corrupt" | "too_many_pixels"; message: string };

/** What the headers say, checked against the file: enough to size and find the pixels, and where they end. */
export type BmpLayout = {
  width: number;
  height: number;
  topDown: boolean;
  depth: number;
  compression: number;
  pixelOffset: number;
  /** The byte after the pixel data: for RLE, after its end-of-bitmap marker. */
  end: number;
  palette?: Uint8Array;
  masks?: readonly [number, number, number, number];
};

const fail = (message: string): { ok: false; error: "corrupt"; message: string } => ({ ok: false, error: "corrupt", message });

type LayoutFailure =
  | { ok: false; error: "corrupt"; message: string }
  | { ok: false; error: "too_many_pixels"; message: string; width: number; height: number };

/**
 * The BMP's layout from its headers (no pixel decoded, RLE streams walked), or why it is not a readable BMP.
 * Dimensions over `maxPixels` are refused before the pixel data is looked at: an RLE stream of a few bytes
 * may declare any size.
 */
export function bmpLayout(bytes: Uint8Array, maxPixels = Number.POSITIVE_INFINITY): { ok: true; layout: BmpLayout } | LayoutFailure {
  if (bytes.length < 26) return fail("truncated before the end of its headers");
  const data = view(bytes);
  const pixelOffset = data.getUint32(10, true);
  const headerSize = data.getUint32(14, true);
  if (14 + headerSize > bytes.length) return fail(`its ${headerSize}-byte bitmap header runs past the end`);
  const core = headerSize === 12; // OS/2 1.x: 16-bit dimensions, 3-byte palette entries, no compression field
  if (!core && headerSize < 16) return fail(`bitmap header size ${headerSize}`);
  const width = core ? data.getUint16(18, true) : data.getInt32(18, true);
  const signedHeight = core ? data.getInt16(20, true) : data.getInt32(22, true);
  const planes = data.getUint16(core ? 22 : 26, true);
  const depth = data.getUint16(core ? 24 : 28, true);
  const compression = core || headerSize < 20 ? BI_RGB : data.getUint32(30, true);
  if (planes !== 1) return fail(`planes is ${planes}, not 1`);
  if (width <= 0 || signedHeight === 0 || signedHeight === -0x80000000) return fail(`invalid dimensions ${width}×${signedHeight}`);
  const height = Math.abs(signedHeight);
  const topDown = signedHeight < 0;
  if (width * height > maxPixels)
    return {
      ok: false,
      error: "too_many_pixels",
      message: `${width}×${height} pixels, over the limit of ${maxPixels.toLocaleString("en-US")}`,
      width,
      height,
    };
  if (pixelOffset < 14 + headerSize || pixelOffset > bytes.length) return fail(`pixel data offset ${pixelOffset} is outside the file`);

  const layout: BmpLayout = { width, height, topDown, depth, compression, pixelOffset, end: pixelOffset };
  // OS/2 2.x headers give 3 and 4 other meanings (Huffman 1D, RLE24), which no common writer produces.
  if ((headerSize === 16 || headerSize === 64) && compression >= 3) return fail(`OS/2 compression method ${compression} is not read here`);
  if (compression === BI_RLE8 || compression === BI_RLE4) {
    if (depth !== (compression === BI_RLE8 ? 8 : 4)) return fail(`RLE${compression === BI_RLE8 ? 8 : 4} with a bit depth of ${depth}`);
    if (topDown) return fail("an RLE bitmap cannot be top-down");
  } else if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    if (depth !== 16 && depth !== 32) return fail(`bit-field masks with a bit depth of ${depth}`);
    // After a 40-byte header come the masks (3, or 4 with alpha); longer headers hold them at the same place.
    const count = compression === BI_ALPHABITFIELDS || headerSize >= 56 ? 4 : 3;
    if (54 + count * 4 > bytes.length || (headerSize >= 40 && headerSize < 52 && 14 + headerSize + count * 4 > pixelOffset))
      return fail("its colour masks run past the pixel data");
    const mask = (i: number) => (i < count ? data.getUint32(54 + i * 4, true) : 0);
    layout.masks = [mask(0), mask(1), mask(2), mask(3)];
    const problem = layout.masks.map((m, i) => (i < 3 && m === 0 ? "empty" : contiguous(m) ? "" : "not contiguous")).find(Boolean);
    if (problem) return fail(`a colour mask is ${problem}`);
  } else if (compression !== BI_RGB) {
    return fail(`compression method ${compression} (JPEG or PNG inside a BMP, or OS/2 Huffman) is not read here`);
  } else if (![1, 2, 4, 8, 16, 24, 32].includes(depth)) {
    return fail(`bit depth ${depth}`);
  } else if (depth === 16) {
    layout.masks = [0x7c00, 0x03e0, 0x001f, 0]; // BI_RGB 16-bit is X1R5G5B5
  } else if (depth === 32) {
    layout.masks = [0xff0000, 0xff00, 0xff, 0]; // BI_RGB 32-bit: the fourth byte is unused
  }

  if (depth <= 8) {
    const entry = core ? 3 : 4;
    const start = 14 + headerSize;
    const declared = headerSize >= 36 ? data.getUint32(46, true) : 0;
    const size = 2 ** depth;
    // Some writers declare no count and write fewer entries: what fits before the pixels is the table.
    const used = Math.min(declared || size, size, Math.floor((pixelOffset - start) / entry));
    if (used <= 0) return fail("no colour table before the pixel data");
    const palette = new Uint8Array(size * 3); // entries past `used` stay black
    for (let i = 0; i < used; i++)
      palette.set([bytes[start + i * entry + 2]!, bytes[start + i * entry + 1]!, bytes[start + i * entry]!], i * 3);
    layout.palette = palette;
  }

  if (compression === BI_RLE8 || compression === BI_RLE4) {
    const walked = rle(bytes, layout, undefined);
    if (typeof walked === "string") return fail(walked);
    layout.end = walked;
  } else {
    const stride = Math.ceil((width * depth) / 32) * 4; // rows are padded to 4 bytes
    layout.end = pixelOffset + stride * height;
    if (layout.end > bytes.length)
      return fail(`its pixel data (${stride * height} bytes from byte ${pixelOffset}) runs past the end of the file (truncated)`);
  }
  return { ok: true, layout };
}

const contiguous = (mask: number) => mask === 0 || ((mask >>> trailingZeros(mask)) & ((mask >>> trailingZeros(mask)) + 1)) === 0;
const trailingZeros = (mask: number) => (mask === 0 ? 0 : 31 - Math.clz32(mask & -mask));

/**
 * Walks an RLE8/RLE4 stream from the pixel offset, writing palette indices into `indices` (bottom-up rows)
 * when given; the byte after its end-of-bitmap marker, or why the stream is broken. A run or delta that
 * leaves the bitmap is damage, not something to clip.
 */
function rle(bytes: Uint8Array, layout: BmpLayout, indices: Uint8Array | undefined): number | string {
  const { width, height } = layout;
  const four = layout.compression === BI_RLE4;
  let [x, y, at] = [0, 0, layout.pixelOffset];
  const put = (index: number) => {
    if (indices) indices[y * width + x] = index;
    x++;
  };
  while (at + 2 <= bytes.length) {
    const [count, value] = [bytes[at]!, bytes[at + 1]!];
    at += 2;
    if (count > 0) {
      if (x + count > width || y >= height) return `an RLE run at byte ${at - 2} crosses the end of its row`;
      for (let i = 0; i < count; i++) put(four ? (i % 2 === 0 ? value >> 4 : value & 15) : value);
    } else if (value === 0) {
      [x, y] = [0, y + 1];
    } else if (value === 1) {
      return at;
    } else if (value === 2) {
      if (at + 2 > bytes.length) break;
      [x, y, at] = [x + bytes[at]!, y + bytes[at + 1]!, at + 2];
      if (x > width || y > height) return `an RLE delta at byte ${at - 4} moves outside the bitmap`;
    } else {
      const length = four ? Math.ceil(value / 2) : value;
      const padded = length + (length % 2); // absolute runs are padded to a 16-bit boundary
      if (at + padded > bytes.length) break;
      if (x + value > width || y >= height) return `an absolute RLE run at byte ${at - 2} crosses the end of its row`;
      for (let i = 0; i < value; i++) put(four ? (i % 2 === 0 ? bytes[at + (i >> 1)]! >> 4 : bytes[at + (i >> 1)]! & 15) : bytes[at + i]!);
      at += padded;
    }
  }
  return "its RLE data ends without an end-of-bitmap marker (truncated)";
}

/** The BMP's pixels, top-down, RGB or (with an alpha mask that is used) RGBA; or why not. Never throws. */
export function decodeBmp(bytes: Uint8Array, maxPixels = 100_000_000): BmpDecode {
  const parsed = bmpLayout(bytes, maxPixels);
  if (!parsed.ok) return { ok: false, error: parsed.error, message: parsed.message };
  const layout = parsed.layout;
  const { width, height, depth, palette, masks } = layout;
  // Row y of the output (top-down) is stored row `stored(y)`.
  const stored = (y: number) => (layout.topDown ? y : height - 1 - y);
  if (palette) {
    const indices = new Uint8Array(width * height);
    if (layout.compression === BI_RLE8 || layout.compression === BI_RLE4) rle(bytes, layout, indices);
    else {
      const stride = Math.ceil((width * depth) / 32) * 4;
      for (let row = 0; row < height; row++) {
        const start = layout.pixelOffset + row * stride;
        for (let x = 0; x < width; x++) {
          const bit = x * depth;
          indices[row * width + x] = (bytes[start + (bit >> 3)]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
        }
      }
    }
    // Indices are in stored order (bottom-up unless top-down); out in top-down order.
    const pixels = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      const source = stored(y) * width;
      for (let x = 0; x < width; x++)
        pixels.set(palette.subarray(indices[source + x]! * 3, indices[source + x]! * 3 + 3), (y * width + x) * 3);
    }
    return { ok: true, image: { width, height, channels: 3, pixels } };
  }
  if (depth === 24) {
    const stride = Math.ceil((width * 24) / 32) * 4;
    const pixels = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      const start = layout.pixelOffset + stored(y) * stride;
      for (let x = 0; x < width; x++) {
        const [at, out] = [start + x * 3, (y * width + x) * 3];
        [pixels[out], pixels[out + 1], pixels[out + 2]] = [bytes[at + 2]!, bytes[at + 1]!, bytes[at]!];
      }
    }
    return { ok: true, image: { width, height, channels: 3, pixels } };
  }
  return { ok: true, image: maskedPixels(bytes, layout, masks!) };
}

/** 16- and 32-bit pixels through their channel masks, each channel scaled to 0..255. */
function maskedPixels(bytes: Uint8Array, layout: BmpLayout, masks: readonly [number, number, number, number]): RawImage {
  const { width, height, depth } = layout;
  const data = view(bytes);
  const stride = Math.ceil((width * depth) / 32) * 4;
  const channels = masks.map((mask) => {
    const shift = trailingZeros(mask);
    const max = mask >>> shift;
    return { mask, shift, scale: max > 0 ? 255 / max : 0 };
  });
  const read = (at: number) => (depth === 16 ? data.getUint16(at, true) : data.getUint32(at, true));
  // An alpha mask whose bits are all zero in every pixel is an unused byte (writers leave it 0), not transparency.
  let alphaUsed = false;
  const alpha = channels[3]!;
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const start = layout.pixelOffset + (layout.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const value = read(start + x * (depth / 8));
      const at = (y * width + x) * 4;
      for (let c = 0; c < 3; c++)
        out[at + c] = Math.round((((value & channels[c]!.mask) >>> 0) >>> channels[c]!.shift) * channels[c]!.scale);
      const a = alpha.mask ? ((value & alpha.mask) >>> 0) >>> alpha.shift : 0;
      if (a !== 0) alphaUsed = true;
      out[at + 3] = Math.round(a * alpha.scale);
    }
  }
  if (alphaUsed) return { width, height, channels: 4, pixels: out };
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.set(out.subarray(i * 4, i * 4 + 3), i * 3);
  return { width, height, channels: 3, pixels: rgb };
}
