/**
 * Image sniffing from content: each format's header parsed to its dimensions; truncated, corrupt,
 * renamed and bomb headers refused with a reason; arbitrary bytes never throw.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { sniffImage } from "@provena/content";

const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u32le = (n: number) => u32be(n).reverse();
const u16le = (n: number) => [n & 255, (n >>> 8) & 255];

function png(width: number, height: number, { depth = 8, colour = 6 } = {}) {
  const ihdr = Uint8Array.from([...Buffer.from("IHDR"), ...u32be(width), ...u32be(height), depth, colour, 0, 0, 0]);
  const idat = Uint8Array.from([...Buffer.from("IDAT"), 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
  const iend = [0, 0, 0, 0, ...Buffer.from("IEND"), ...u32be(crc32(Buffer.from("IEND")))];
  return Uint8Array.from([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...u32be(13),
    ...ihdr,
    ...u32be(crc32(ihdr)),
    ...u32be(idat.length - 4),
    ...idat,
    ...u32be(crc32(idat)),
    ...iend,
  ]);
}

const jpeg = (width: number, height: number) =>
  Uint8Array.from([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0x00,
    0x10,
    ...Buffer.from("JFIF\0"),
    1,
    1,
    0,
    0,
    1,
    0,
    1,
    0,
    0,
    0xff,
    0xc0,
    0x00,
    0x11,
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
    0xff,
    0xd9,
  ]);

function webpLossless(width: number, height: number) {
  const bits = (width - 1) | ((height - 1) << 14);
  // The signature, the 14-bit sizes, and bytes standing for the image stream: a RIFF size that is the file's.
  const chunk = [...Buffer.from("VP8L"), ...u32le(10), 0x2f, ...u32le(bits), 0, 0, 0, 0, 0];
  return Uint8Array.from([...Buffer.from("RIFF"), ...u32le(4 + chunk.length), ...Buffer.from("WEBP"), ...chunk]);
}

function bmp(width: number, height: number) {
  const pixels = new Array(Math.ceil((width * 3) / 4) * 4 * height).fill(0); // 24-bit rows padded to 4 bytes
  const size = 54 + pixels.length;
  return Uint8Array.from([
    ...Buffer.from("BM"),
    ...u32le(size),
    0,
    0,
    0,
    0,
    ...u32le(54),
    ...u32le(40),
    ...u32le(width),
    ...u32le(height),
    ...u16le(1),
    ...u16le(24),
    ...u32le(0),
    ...u32le(pixels.length),
    ...u32le(2835),
    ...u32le(2835),
    ...u32le(0),
    ...u32le(0),
    ...pixels,
  ]);
}

const tiff = (width: number, height: number) =>
  Uint8Array.from([
    0x49,
    0x49,
    0x2a,
    0x00,
    ...u32le(8),
    ...u16le(2),
    ...u16le(256),
    ...u16le(3),
    ...u32le(1),
    ...u16le(width),
    0,
    0,
    ...u16le(257),
    ...u16le(4),
    ...u32le(1),
    ...u32le(height),
    ...u32le(0),
  ]);

const VALID = { png: png(640, 480), jpeg: jpeg(640, 480), webp: webpLossless(640, 480), bmp: bmp(640, 480), tiff: tiff(640, 480) };

test("each format's header gives its type, code and dimensions", () => {
  for (const [type, bytes] of Object.entries(VALID)) {
    const sniff = sniffImage(bytes);
    assert.ok(sniff.ok, `${type}: ${sniff.ok ? "" : sniff.message}`);
    assert.deepEqual([sniff.type, sniff.width, sniff.height], [type, 640, 480]);
  }
  assert.equal((sniffImage(VALID.png) as { code: number }).code, 0x10);
});

test("a truncated header is corrupt, at every length", () => {
  for (const [type, bytes] of Object.entries(VALID)) {
    for (let length = 4; length < 26; length++) {
      const sniff = sniffImage(bytes.subarray(0, length));
      assert.equal(sniff.ok, false, `${type} cut at ${length} bytes`);
    }
  }
  const cut = sniffImage(VALID.png.subarray(0, 20));
  assert.deepEqual(cut.ok ? undefined : [cut.error, cut.message], ["corrupt", "corrupt PNG: truncated before the end of its IHDR chunk"]);
});

test("corrupt headers name what is wrong", () => {
  const badCrc = Uint8Array.from(VALID.png);
  badCrc[20] = badCrc[20]! ^ 1;
  assert.match(JSON.stringify(sniffImage(badCrc)), /IHDR checksum mismatch/);
  assert.match(JSON.stringify(sniffImage(png(10, 10, { depth: 3, colour: 2 }))), /bit depth 3 with colour type 2/);
  assert.match(JSON.stringify(sniffImage(png(0, 10))), /invalid dimensions 0×10/);
  assert.match(
    JSON.stringify(sniffImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 8, 0, 0, 0, 0]))),
    /no frame header before the image data/,
  );
});

test("a PNG cut short or with data appended (a polyglot) is corrupt", () => {
  const cut = sniffImage(VALID.png.subarray(0, VALID.png.length - 6));
  assert.match(cut.ok ? "" : cut.message, /truncated: no IEND chunk/);
  const zipTail = Uint8Array.from([...VALID.png, 0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
  assert.match(JSON.stringify(sniffImage(zipTail)), /22 bytes after IEND/);
  const jpegTail = Uint8Array.from([...VALID.jpeg, ...Buffer.from("%PDF-1.4")]);
  assert.match(JSON.stringify(sniffImage(jpegTail)), /8 bytes after the end-of-image marker \(data appended\)/);
});

test("declared dimensions over the pixel limit are refused before any decoding", () => {
  const bomb = sniffImage(png(100_000, 100_000));
  assert.deepEqual(bomb.ok ? undefined : bomb.error, "too_many_pixels");
  assert.equal(sniffImage(png(1000, 1000), { maxPixels: 999_999 }).ok, false);
  assert.equal(sniffImage(png(1000, 1000), { maxPixels: 1_000_000 }).ok, true);
});

test("the content decides, not the name: text, audio and empty bytes are not images", () => {
  for (const bytes of [new TextEncoder().encode("hello, world"), Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0]), new Uint8Array(0)]) {
    const sniff = sniffImage(bytes);
    assert.deepEqual(sniff.ok ? undefined : sniff.error, "not_image");
  }
});

test("random bytes and randomly damaged headers never throw", () => {
  for (let i = 0; i < 3000; i++) sniffImage(randomBytes(i % 200));
  for (const bytes of Object.values(VALID)) {
    for (let i = 0; i < 2000; i++) {
      const damaged = Uint8Array.from(bytes.subarray(0, 8 + (i % bytes.length)));
      for (let flips = 0; flips < 3; flips++) damaged[(i * 7 + flips * 13) % damaged.length] = randomBytes(1)[0]!;
      const sniff = sniffImage(damaged);
      assert.equal(typeof sniff.ok, "boolean");
    }
  }
});
