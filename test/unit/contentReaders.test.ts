/**
 * The image and audio readers on the variants real producers write (issue 20), each built here byte by byte
 * or with sharp: BMP's bit-field, RLE, OS/2 and small-palette forms decoded pixel for pixel; one trailing-data
 * rule over every format (and the tags allowed after an MP3 or FLAC stream); WAV and FLAC streamed without a
 * known length; every FLAC frame's checksum; MP3 Xing counts; 16-bit and float images on their real range;
 * the gateway's perceptual hash of a BMP the same as of the same pixels in PNG.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import sharp from "sharp";
import { decodeBmp, hashHex, perceptualHash, sniffAudio, sniffFile, sniffImage } from "@provena/content";
import { Reason } from "@provena/common";
import { assess } from "../../attestor/validator/src/quality/index.js";
import { flacFile } from "../fixtures/flac.js";

const u16 = (n: number) => [n & 255, (n >>> 8) & 255];
const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const ascii = (text: string) => [...Buffer.from(text, "latin1")];
const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

// ------------------------------------------------------------------ BMP

type BmpSpec = {
  width: number;
  height: number; // negative: top-down
  depth: number;
  compression?: number;
  headerSize?: number;
  masks?: number[]; // written after a 40-byte header, inside a longer one
  palette?: [number, number, number][];
  data: number[];
};

/** A BMP laid out as the format defines it: file header, DIB header (core, info or V3–V5), masks, colour table, pixels. */
function bmpFile({ width, height, depth, compression = 0, headerSize = 40, masks = [], palette = [], data }: BmpSpec): Uint8Array {
  let header: number[];
  if (headerSize === 12) header = [...u32(12), ...u16(width), ...u16(height), ...u16(1), ...u16(depth)];
  else {
    header = [...u32(headerSize), ...u32(width), ...u32(height), ...u16(1), ...u16(depth), ...u32(compression), ...u32(data.length)];
    header.push(...u32(2835), ...u32(2835), ...u32(palette.length), ...u32(0));
    if (headerSize > 40) header.push(...masks.flatMap(u32));
    header.push(...new Array(headerSize - header.length).fill(0));
    if (headerSize === 40) header.push(...masks.flatMap(u32));
  }
  const table = palette.flatMap(([r, g, b]) => (headerSize === 12 ? [b, g, r] : [b, g, r, 0]));
  const offset = 14 + header.length + table.length;
  return cat(ascii("BM"), u32(offset + data.length), [0, 0, 0, 0], u32(offset), header, table, data);
}

const PALETTE: [number, number, number][] = [
  [0, 0, 0],
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [200, 200, 50],
  [10, 120, 240],
];
const rgbOf = (indices: number[]) => Uint8Array.from(indices.flatMap((i) => PALETTE[i]!));

const decoded = (bytes: Uint8Array) => {
  const result = decodeBmp(bytes);
  assert.ok(result.ok, result.ok ? "" : result.message);
  return result.image;
};

test("BMP with BI_BITFIELDS masks: RGB565 after a 40-byte header, ARGB8888 with its alpha in a V3 header, ARGB4444 in a V5 header", () => {
  // Two RGB565 pixels a row (4 bytes: no padding), two rows stored bottom-up.
  const values = [0xf800, 0x07e0, 0x001f, 0x8410];
  const rgb565 = bmpFile({
    width: 2,
    height: 2,
    depth: 16,
    compression: 3,
    masks: [0xf800, 0x07e0, 0x001f],
    data: [values[2]!, values[3]!, values[0]!, values[1]!].flatMap(u16),
  });
  const channel = (v: number, shift: number, bits: number) => Math.round((((v >> shift) & ((1 << bits) - 1)) * 255) / ((1 << bits) - 1));
  assert.deepEqual(decoded(rgb565), {
    width: 2,
    height: 2,
    channels: 3,
    pixels: Uint8Array.from(values.flatMap((v) => [channel(v, 11, 5), channel(v, 5, 6), channel(v, 0, 5)])),
  });
  // 32-bit B, G, R, A with an alpha mask that is used: RGBA out.
  const argb = bmpFile({
    width: 1,
    height: 2,
    depth: 32,
    compression: 3,
    headerSize: 56,
    masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
    data: [30, 20, 10, 128, 3, 2, 1, 255],
  });
  assert.deepEqual(decoded(argb), { width: 1, height: 2, channels: 4, pixels: Uint8Array.from([1, 2, 3, 255, 10, 20, 30, 128]) });
  // An alpha mask whose bits are 0 in every pixel is an unused byte: opaque RGB.
  const unused = bmpFile({
    ...{ width: 1, height: 1, depth: 32, compression: 3, headerSize: 124 },
    masks: [0xff0000, 0xff00, 0xff, 0xff000000],
    data: [7, 8, 9, 0],
  });
  assert.deepEqual(decoded(unused), { width: 1, height: 1, channels: 3, pixels: Uint8Array.from([9, 8, 7]) });
  const argb4444 = bmpFile({
    width: 2,
    height: 1,
    depth: 16,
    compression: 3,
    headerSize: 124,
    masks: [0x0f00, 0x00f0, 0x000f, 0xf000],
    data: [...u16(0xf0f0), ...u16(0x8f00)],
  });
  assert.deepEqual(decoded(argb4444).pixels, Uint8Array.from([0, 255, 0, 255, 255, 0, 0, 136]));
  // Masks that are empty or not contiguous are damage.
  for (const masks of [
    [0, 0x07e0, 0x001f],
    [0xf00f, 0x07e0, 0x001f],
  ]) {
    const bad = decodeBmp(bmpFile({ width: 2, height: 1, depth: 16, compression: 3, masks, data: [0, 0, 0, 0] }));
    assert.deepEqual([bad.ok, bad.ok ? "" : bad.message], [false, bad.ok ? "" : bad.message]);
    assert.match(bad.ok ? "" : bad.message, /colour mask is (empty|not contiguous)/);
  }
});

test("BMP RLE8 and RLE4: encoded and absolute runs, deltas, end of line and of bitmap; broken streams refused", () => {
  // 6×3, stored bottom-up. Row 0: a run of three 1s, then an absolute run 2, 3, 0 (odd: padded). Row 1: a
  // delta of two pixels (left as index 0), then four 3s. Row 2: six 2s, then the end of the bitmap.
  const stream = [3, 1, 0, 3, 2, 3, 0, 0, 0, 0, 0, 2, 2, 0, 4, 3, 0, 0, 6, 2, 0, 1];
  const rle8 = bmpFile({ width: 6, height: 3, depth: 8, compression: 1, palette: PALETTE, data: stream });
  const rows = [
    [2, 2, 2, 2, 2, 2],
    [0, 0, 3, 3, 3, 3],
    [1, 1, 1, 2, 3, 0],
  ];
  assert.deepEqual(decoded(rle8), { width: 6, height: 3, channels: 3, pixels: rgbOf(rows.flat()) });
  // RLE4: a run alternates its byte's two nibbles; an absolute run packs two indices a byte.
  const rle4 = bmpFile({
    width: 5,
    height: 2,
    depth: 4,
    compression: 2,
    palette: PALETTE,
    data: [5, 0x12, 0, 0, 0, 5, 0x34, 0x51, 0x20, 0, 0, 1],
  });
  assert.deepEqual(decoded(rle4).pixels, rgbOf([3, 4, 5, 1, 2, 1, 2, 1, 2, 1]));
  assert.equal(sniffImage(rle8).ok, true);

  const broken: [number[], RegExp][] = [
    [[7, 1, 0, 1], /crosses the end of its row/],
    [[0, 7, 1, 2, 3, 4, 5, 6, 7, 0, 0, 1], /absolute RLE run .* crosses the end of its row/],
    [[0, 2, 9, 0, 0, 1], /delta .* moves outside the bitmap/],
    [stream.slice(0, -2), /ends without an end-of-bitmap marker \(truncated\)/],
  ];
  for (const [data, reason] of broken) {
    const bytes = bmpFile({ width: 6, height: 3, depth: 8, compression: 1, palette: PALETTE, data });
    const result = decodeBmp(bytes);
    assert.match(result.ok ? "" : result.message, reason);
    const sniff = sniffImage(bytes);
    assert.deepEqual([sniff.ok, sniff.ok ? "" : sniff.error], [false, "corrupt"]);
  }
  // RLE is BMP's decompression bomb: a two-byte stream may declare any size. Refused before any walk or allocation.
  const bomb = bmpFile({ width: 30_000, height: 30_000, depth: 8, compression: 1, palette: PALETTE, data: [0, 1] });
  assert.equal(sniffImage(bomb).ok ? "" : (sniffImage(bomb) as { error: string }).error, "too_many_pixels");
  assert.equal(decodeBmp(bomb).ok ? "" : (decodeBmp(bomb) as { error: string }).error, "too_many_pixels");
});

test("BMP with an OS/2 12-byte header (3-byte palette entries), a 2-bit palette, and top-down rows", () => {
  // 1-bit, 3×2: rows of 4 bytes, high bit first; stored bottom-up.
  const core = bmpFile({
    width: 3,
    height: 2,
    depth: 1,
    headerSize: 12,
    palette: [PALETTE[0]!, PALETTE[1]!],
    data: [0b01000000, 0, 0, 0, 0b10100000, 0, 0, 0],
  });
  assert.deepEqual(decoded(core), { width: 3, height: 2, channels: 3, pixels: rgbOf([1, 0, 1, 0, 1, 0]) });
  assert.deepEqual(sniffImage(core).ok && [sniffImage(core)], [{ ok: true, type: "bmp", code: 0x14, width: 3, height: 2 }]);
  const twoBit = bmpFile({ width: 5, height: 1, depth: 2, palette: PALETTE.slice(0, 4), data: [0b00011011, 0b01000000, 0, 0] });
  assert.deepEqual(decoded(twoBit).pixels, rgbOf([0, 1, 2, 3, 1]));
  const topDown = bmpFile({ width: 2, height: -2, depth: 8, palette: PALETTE, data: [1, 2, 0, 0, 3, 4, 0, 0] });
  assert.deepEqual(decoded(topDown), { width: 2, height: 2, channels: 3, pixels: rgbOf([1, 2, 3, 4]) });
  // Compression a BMP may name but no common writer uses (JPEG or PNG inside): refused, not misread.
  const jpegInside = decodeBmp(bmpFile({ width: 2, height: 2, depth: 24, compression: 4, data: new Array(16).fill(0) }));
  assert.match(jpegInside.ok ? "" : jpegInside.message, /compression method 4/);
});

test("the gateway's perceptual hash reads BMP with the project's decoder: the same hash as the same pixels in PNG", async () => {
  const [width, height] = [96, 64];
  const pixels = Uint8Array.from({ length: width * height * 3 }, (_, i) => ((i % (width * 3)) * 3 + Math.floor(i / (width * 3)) * 5) & 255);
  const stride = width * 3; // 288: already a multiple of 4
  const rows: number[] = [];
  for (let y = height - 1; y >= 0; y--)
    for (let x = 0; x < width; x++) rows.push(...[2, 1, 0].map((c) => pixels[(y * width + x) * 3 + c]!));
  assert.equal(rows.length, stride * height);
  const bmp = bmpFile({ width, height, depth: 24, data: rows });
  const png = new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
  assert.equal(hashHex(await perceptualHash(bmp)), hashHex(await perceptualHash(png)));
  const verdict = await assess(bmp, "bmp");
  assert.equal(verdict.accept, true, verdict.explanation);
});

// ------------------------------------------------------------------ trailing data

const SMALL_JPEG = async () =>
  new Uint8Array(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#804020" } })
      .jpeg()
      .toBuffer(),
  );

/** A stored ZIP of one file: local header, data, central directory, end record. */
function storedZip(name: string, content: string): number[] {
  const [file, data] = [ascii(name), ascii(content)];
  const crc = crc32(Uint8Array.from(data));
  const common = [
    ...u16(20),
    ...u16(0),
    ...u16(0),
    ...u16(0),
    ...u16(0),
    ...u32(crc),
    ...u32(data.length),
    ...u32(data.length),
    ...u16(file.length),
  ];
  const local = [...ascii("PK\u0003\u0004"), ...common, ...u16(0), ...file, ...data];
  const central = [
    ...ascii("PK\u0001\u0002"),
    ...u16(20),
    ...common,
    ...u16(0),
    ...u16(0),
    ...u16(0),
    ...u16(0),
    ...u32(0),
    ...u32(0),
    ...file,
  ];
  const end = [
    ...ascii("PK\u0005\u0006"),
    ...u16(0),
    ...u16(0),
    ...u16(1),
    ...u16(1),
    ...u32(central.length),
    ...u32(local.length),
    ...u16(0),
  ];
  return [...local, ...central, ...end];
}

function wavFile(samples: number[], { rate = 8000, streamed }: { rate?: number; streamed?: 0 | 0xffffffff } = {}): Uint8Array {
  const data = samples.flatMap((s) => u16(Math.round(s * 32767) & 0xffff));
  const fmt = [...ascii("fmt "), ...u32(16), ...u16(1), ...u16(1), ...u32(rate), ...u32(rate * 2), ...u16(2), ...u16(16)];
  const body = [...ascii("WAVE"), ...fmt, ...ascii("data"), ...u32(streamed ?? data.length), ...data];
  return cat(ascii("RIFF"), u32(streamed ?? body.length), body);
}

const tone = (seconds: number, rate = 8000) =>
  Array.from({ length: seconds * rate }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 440 * i) / rate));

/** MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, stereo: 417 bytes), the first an Info frame counting `declared`. */
function mp3File(frames: number, declared?: number): Uint8Array {
  const frame = () => [0xff, 0xfb, 0x90, 0x00, ...new Array(413).fill(0)];
  const info = frame();
  if (declared !== undefined) info.splice(4 + 32, 12, ...ascii("Info"), 0, 0, 0, 1, ...[24, 16, 8, 0].map((s) => (declared >>> s) & 255));
  return Uint8Array.from([...(declared !== undefined ? info : []), ...Array.from({ length: frames }, frame).flat()]);
}

/** An APEv2 tag without a header: one item, then the 32-byte footer. */
function apeTag(): number[] {
  const item = [...u32(5), ...u32(0), ...ascii("Title\u0000"), ...ascii("Quay!")];
  return [...item, ...ascii("APETAGEX"), ...u32(2000), ...u32(item.length + 32), ...u32(1), ...u32(0), ...new Array(8).fill(0)];
}

const ID3V1 = [...ascii("TAG"), ...new Array(125).fill(0x20)];

test("one trailing-data rule: a JPEG or zeros after any image or audio format's end are refused as corrupt, a ZIP as a polyglot", async () => {
  const jpeg = await SMALL_JPEG();
  const picture = sharp({ create: { width: 64, height: 48, channels: 3, background: "#336699" } });
  const valid: Record<string, Uint8Array> = {
    png: new Uint8Array(await picture.clone().png().toBuffer()),
    jpeg: new Uint8Array(await picture.clone().jpeg().toBuffer()),
    webp: new Uint8Array(await picture.clone().webp({ lossless: true }).toBuffer()),
    tiff: new Uint8Array(await picture.clone().tiff().toBuffer()),
    bmp: bmpFile({ width: 2, height: 2, depth: 24, data: new Array(16).fill(90) }),
    wav: wavFile(tone(1)),
    flac: flacFile([Float32Array.from(tone(1))]),
    mp3: mp3File(20, 20),
  };
  for (const [type, bytes] of Object.entries(valid)) {
    const sniffed = sniffFile(bytes);
    assert.ok(sniffed.ok && sniffed.type === type, `${type}: ${JSON.stringify(sniffed)}`);
    for (const [tail, error] of [
      [jpeg, "corrupt"],
      [new Uint8Array(64), "corrupt"],
      [Uint8Array.from(storedZip("payload.txt", "hidden")), "polyglot"],
    ] as const) {
      const result = sniffFile(cat(bytes, tail));
      assert.equal(
        result.ok ? `accepted as ${result.type}` : result.error,
        error,
        `${type} + ${tail.length} bytes: ${JSON.stringify(result)}`,
      );
      if (!result.ok) assert.match(result.message, /appended|after/, type);
    }
  }
});

test("a JPEG may be followed by the pictures its multi-picture (MPF) segment declares, and nothing else", async () => {
  const [first, second] = (await Promise.all(
    ["#204060", "#c08040"].map(
      async (background) =>
        new Uint8Array(
          await sharp({ create: { width: 32, height: 24, channels: 3, background } })
            .jpeg()
            .toBuffer(),
        ),
    ),
  )) as [Uint8Array, Uint8Array];
  // APP2 "MPF\0", a little-endian TIFF header, one IFD with an MPEntry tag: two 16-byte entries (the first
  // image: offset 0; the second: its size and its offset from the TIFF header).
  const mpf = (secondOffset: number, secondSize: number) => {
    const ifd = [...u16(1), ...u16(0xb002), ...u16(7), ...u32(32), ...u32(8 + 2 + 12 + 4), ...u32(0)];
    const list = [...u32(0x20030000), ...u32(0), ...u32(0), 0, 0, 0, 0, ...u32(0), ...u32(secondSize), ...u32(secondOffset), 0, 0, 0, 0];
    const body = [...ascii("MPF\u0000"), ...ascii("II"), 0x2a, 0, ...u32(8), ...ifd, ...list];
    return [0xff, 0xe2, ...u16(body.length + 2).reverse(), ...body];
  };
  const build = (size: number, extra: Uint8Array) => {
    const segment = mpf(0, 0);
    const base = 2 + 8; // the TIFF header: after SOI, the marker, the length and "MPF\0"
    const primary = first.length + segment.length;
    const real = mpf(primary - base, size);
    return cat(first.subarray(0, 2), real, first.subarray(2), second, extra);
  };
  const whole = build(second.length, new Uint8Array(0));
  assert.equal(sniffImage(whole).ok, true, JSON.stringify(sniffImage(whole)));
  // Two bytes more than the pictures declared: all that follows the first image is then data appended.
  assert.match(
    JSON.stringify(sniffImage(build(second.length, Uint8Array.from([0, 0])))),
    /\d+ bytes after the end-of-image marker \(data appended\)/,
  );
  // The declared picture cut short, or declared longer than the file.
  assert.match(JSON.stringify(sniffImage(whole.subarray(0, whole.length - 10))), /after the end-of-image marker/);
  assert.match(JSON.stringify(sniffImage(build(second.length + 50, new Uint8Array(0)))), /after the end-of-image marker/);
});

test("what may follow a stream's end: ID3v1 and APE tags after MP3 frames, ID3v1 after FLAC, a pad byte after TIFF or WAV, a BMP's declared padding", async () => {
  const mp3 = mp3File(10);
  for (const tail of [ID3V1, apeTag(), [...apeTag(), ...ID3V1]]) {
    const sniffed = sniffAudio(cat(mp3, tail));
    assert.ok(sniffed.ok, sniffed.ok ? "" : sniffed.message);
    assert.ok(Math.abs(sniffed.durationSeconds - (10 * 1152) / 44100) < 1e-9);
  }
  // An APE footer whose size says more than the file holds is damage, not a tag.
  const lying = apeTag();
  lying.splice(lying.length - 20, 4, ...u32(1_000_000));
  assert.match(JSON.stringify(sniffAudio(cat(mp3, lying))), /APE tag declares 1000000 bytes/);
  assert.equal(sniffAudio(cat(flacFile([Float32Array.from(tone(1))]), ID3V1)).ok, true);
  // TIFF offsets are word-aligned: one pad byte is allowed, two are data.
  const tiff = new Uint8Array(
    await sharp({ create: { width: 16, height: 16, channels: 3, background: "#102030" } })
      .tiff()
      .toBuffer(),
  );
  assert.equal(sniffImage(cat(tiff, [0])).ok, true);
  assert.match(JSON.stringify(sniffImage(cat(tiff, [0, 0]))), /2 bytes after the last data its directories reference/);
  // A WAV chunk of odd length is followed by a pad byte that the RIFF size counts.
  const odd = wavFile(tone(1));
  const withList = cat(odd, ascii("LIST"), u32(5), ascii("INFOx"), [0]);
  new DataView(withList.buffer).setUint32(4, withList.length - 8, true);
  assert.equal(sniffAudio(withList).ok, true, JSON.stringify(sniffAudio(withList)));
  // Photoshop pads a BMP by two bytes and counts them in the declared size.
  const bmp = bmpFile({ width: 2, height: 2, depth: 24, data: new Array(18).fill(90) });
  assert.equal(sniffImage(bmp).ok, true);
  const over = cat(bmp, [0, 0]);
  assert.match(JSON.stringify(sniffImage(over)), /2 bytes after its pixel data/);
});

test("TIFF's end is the last byte its directories reference, Exif directories and the values they point to included", () => {
  // One directory: 2×1 grey 8-bit, one strip, and an Exif IFD pointer; the Exif IFD (one ASCII value of
  // 20 bytes, stored after it) comes after the strip, as cameras' raw files have it.
  const entries = (list: [number, number, number, number][]) =>
    list.flatMap(([tag, type, count, value]) => [
      ...u16(tag),
      ...u16(type),
      ...u32(count),
      ...(type === 3 ? [...u16(value), 0, 0] : u32(value)),
    ]);
  const first = 8;
  const firstSize = 2 + 7 * 12 + 4;
  const strip = first + firstSize;
  const exifIfd = strip + 2;
  const exifValue = exifIfd + 2 + 12 + 4;
  const bytes = cat(
    [0x49, 0x49, 0x2a, 0x00],
    u32(first),
    u16(7),
    entries([
      [256, 3, 1, 2],
      [257, 3, 1, 1],
      [258, 3, 1, 8],
      [262, 3, 1, 1],
      [273, 4, 1, strip],
      [279, 4, 1, 2],
      [34665, 4, 1, exifIfd],
    ]),
    u32(0),
    [10, 200],
    u16(1),
    entries([[0x9003, 2, 20, exifValue]]),
    u32(0),
    ascii("2023:11:14 22:13:20\u0000"),
  );
  assert.deepEqual(sniffImage(bytes), { ok: true, type: "tiff", code: 0x13, width: 2, height: 1 });
  // Its value cut short, or data after it: both seen only by following the Exif pointer.
  assert.match(JSON.stringify(sniffImage(bytes.subarray(0, bytes.length - 4))), /tag 36867's 20 values run past the end/);
  assert.match(JSON.stringify(sniffImage(cat(bytes, [1, 2, 3, 4]))), /4 bytes after the last data its directories reference/);
});

// ------------------------------------------------------------------ streamed WAV and FLAC, FLAC frames, MP3 counts

test("a WAV written to a pipe (RIFF and data sizes 0xFFFFFFFF or 0) is read to the end of the file and judged on what it holds", async () => {
  for (const streamed of [0xffffffff, 0] as const) {
    const bytes = wavFile(tone(2), { streamed });
    const sniffed = sniffAudio(bytes);
    assert.ok(sniffed.ok, sniffed.ok ? "" : sniffed.message);
    assert.equal(sniffed.durationSeconds, 2);
    const verdict = await assess(bytes, "wav");
    assert.equal(verdict.accept, true, verdict.explanation);
    assert.deepEqual([verdict.checks.declaredSeconds, verdict.checks.decodedSeconds], [2, 2]);
    // Cut inside a sample frame: not whole audio.
    assert.match(JSON.stringify(sniffAudio(bytes.subarray(0, bytes.length - 1))), /ends inside a sample frame/);
  }
  // A known size that is wrong stays wrong: the RIFF size must be the file's.
  const known = wavFile(tone(1));
  assert.match(JSON.stringify(sniffAudio(cat(known, [1, 2, 3, 4]))), /4 bytes after the RIFF data/);
});

test("FLAC: total samples 0 (a stream written to a pipe) is read from the frames; every frame's CRC-16 is checked", async () => {
  const whole = flacFile([Float32Array.from(tone(2))]);
  const streamed = Uint8Array.from(whole);
  // STREAMINFO's 36-bit total samples: the low nibble of byte 8 + 13 and the four bytes after.
  streamed[8 + 13] = streamed[8 + 13]! & 0xf0;
  streamed.fill(0, 8 + 14, 8 + 18);
  const sniffed = sniffAudio(streamed);
  assert.ok(sniffed.ok, sniffed.ok ? "" : sniffed.message);
  assert.equal(sniffed.durationSeconds, 2);
  const verdict = await assess(streamed, "flac");
  assert.equal(verdict.accept, true, verdict.explanation);
  // One byte flipped in a middle frame's audio: its CRC-16 fails, found without decoding.
  const flipped = Uint8Array.from(whole);
  flipped[Math.floor(whole.length / 2)]! ^= 0x10;
  assert.match(JSON.stringify(sniffAudio(flipped)), /does not end with a matching CRC-16/);
  // Zeros after the last frame keep a CRC-16 that matches: refused as data after the stream.
  assert.match(JSON.stringify(sniffAudio(cat(whole, new Uint8Array(32)))), /32 zero bytes after the last frame/);
});

test("MP3: a Xing/Info frame's frame count finds a stream cut between two frames", () => {
  assert.equal(sniffAudio(mp3File(12, 12)).ok, true);
  const cut = mp3File(12, 12).subarray(0, 417 * 10);
  assert.match(JSON.stringify(sniffAudio(cut)), /its Xing\/Info frame declares 12 frames, and 9 follow/);
  // A count left 0 (a writer that could not go back) claims nothing.
  assert.equal(sniffAudio(mp3File(12, 0)).ok, true);
  // The Info frame is not audio: 12 frames of 1,152 samples.
  const sniffed = sniffAudio(mp3File(12, 12));
  assert.ok(sniffed.ok && Math.abs(sniffed.durationSeconds - (12 * 1152) / 44100) < 1e-9);
});

// ------------------------------------------------------------------ 16-bit and float images

/** An uncompressed one-strip greyscale TIFF of 32-bit float samples (SampleFormat 3), written by hand. */
function floatTiff(width: number, height: number, samples: Float32Array): Uint8Array {
  const entries: [number, number, number, number][] = [
    [256, 3, 1, width],
    [257, 3, 1, height],
    [258, 3, 1, 32],
    [259, 3, 1, 1],
    [262, 3, 1, 1],
    [273, 4, 1, 0], // StripOffsets: filled in below
    [277, 3, 1, 1],
    [278, 3, 1, height],
    [279, 4, 1, samples.byteLength],
    [339, 3, 1, 3],
  ];
  const dataStart = 8 + 2 + entries.length * 12 + 4;
  entries[5]![3] = dataStart;
  const ifd = [
    ...u16(entries.length),
    ...entries.flatMap(([tag, type, count, value]) => [
      ...u16(tag),
      ...u16(type),
      ...u32(count),
      ...(type === 3 ? [...u16(value), 0, 0] : u32(value)),
    ]),
    ...u32(0),
  ];
  return cat([0x49, 0x49, 0x2a, 0x00], u32(8), ifd, new Uint8Array(samples.buffer));
}

test("16-bit and float images are measured on their real range: varied ones accepted with the 8-bit figures, flat ones refused", async () => {
  const [width, height] = [128, 96];
  const grey = (x: number, y: number) => (x * 2 + y) % 256; // 0..255, varied
  const eight = new Uint8Array(
    await sharp(
      Uint8Array.from({ length: width * height }, (_, i) => grey(i % width, Math.floor(i / width))),
      { raw: { width, height, channels: 1 } },
    )
      .png()
      .toBuffer(),
  );
  const reference = await assess(eight, "png");
  assert.equal(reference.accept, true, reference.explanation);
  const sixteenBit = (scale: (v: number) => number) =>
    sharp(
      Uint16Array.from({ length: width * height * 3 }, (_, i) => scale(grey(Math.floor(i / 3) % width, Math.floor(i / 3 / width)))),
      {
        raw: { width, height, channels: 3 },
      },
    )
      .toColourspace("rgb16")
      .png()
      .toBuffer();
  const wide = await assess(new Uint8Array(await sixteenBit((v) => v * 257)), "png");
  assert.equal(wide.accept, true, wide.explanation);
  assert.ok(
    Math.abs(Number(wide.checks.stdev) - Number(reference.checks.stdev)) < 0.5,
    `${wide.checks.stdev} vs ${reference.checks.stdev}`,
  );
  // Differences of a few units in 65,535 are invisible: flat, though the raw deviation is above 2.
  const faint = await assess(new Uint8Array(await sixteenBit((v) => 30_000 + (v % 8))), "png");
  assert.equal(faint.reason, Reason.LowQuality, faint.explanation);
  assert.match(faint.explanation, /a flat image/);

  const unit = Float32Array.from({ length: width * height }, (_, i) => grey(i % width, Math.floor(i / width)) / 255);
  const float = floatTiff(width, height, unit);
  assert.equal(sniffImage(float).ok, true);
  const measured = await assess(float, "tiff");
  assert.equal(measured.accept, true, measured.explanation);
  assert.ok(
    Math.abs(Number(measured.checks.stdev) - Number(reference.checks.stdev)) < 0.5,
    `${measured.checks.stdev} vs ${reference.checks.stdev}`,
  );
  // The gateway's hash sees the picture, not a black square: the same as the 8-bit image's.
  assert.equal(hashHex(await perceptualHash(float)), hashHex(await perceptualHash(eight)));
  const flatFloat = await assess(
    floatTiff(
      width,
      height,
      Float32Array.from(unit, (v) => 0.5 + v / 1000),
    ),
    "tiff",
  );
  assert.equal(flatFloat.reason, Reason.LowQuality, flatFloat.explanation);
});
