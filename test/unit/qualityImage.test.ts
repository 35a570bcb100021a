/**
 * Image quality: every pixel is decoded (sharp; BMP by hand, since sharp's libvips has no BMP
 * loader); a noisy picture passes, a tiny or flat one is refused or scored low, a damaged one is
 * refused as corrupt, and bytes of another format are the wrong type.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import sharp from "sharp";
import { assess } from "../../attestor/validator/src/quality/index.js";
import { Reason, seededRandom } from "@provena/common";
import { decodeBmp } from "@provena/content";

/** RGB pixels, `width` × `height`, each channel drawn by `value()`. */
function rgb(width: number, height: number, value: () => number): Uint8Array {
  return Uint8Array.from({ length: width * height * 3 }, () => Math.max(0, Math.min(255, Math.round(value()))));
}

const noise = (width: number, height: number) => {
  const random = seededRandom(width * 1000 + height);
  return rgb(width, height, () => random() * 256);
};

const encode = (pixels: Uint8Array, width: number, height: number) => sharp(pixels, { raw: { width, height, channels: 3 } });
const png = async (pixels: Uint8Array, width: number, height: number) =>
  new Uint8Array(await encode(pixels, width, height).png().toBuffer());

test("a 256×256 noise picture is accepted in every format sharp writes, with its figures", async () => {
  const pixels = noise(256, 256);
  const formats = {
    png: await encode(pixels, 256, 256).png().toBuffer(),
    jpeg: await encode(pixels, 256, 256).jpeg({ quality: 80 }).toBuffer(),
    webp: await encode(pixels, 256, 256).webp({ quality: 80 }).toBuffer(),
    tiff: await encode(pixels, 256, 256).tiff().toBuffer(),
  } as const;
  for (const [type, bytes] of Object.entries(formats) as [keyof typeof formats, Buffer][]) {
    const result = await assess(new Uint8Array(bytes), type);
    assert.equal(result.accept, true, `${type}: ${result.explanation}`);
    assert.equal(result.reason, Reason.Accepted);
    assert.deepEqual([result.checks.width, result.checks.height], [256, 256]);
    assert.ok((result.checks.stdev as number) > 40, `${type}: stdev ${result.checks.stdev}`);
    assert.match(
      result.explanation,
      /^accepted, score \d+: image of 256×256 pixels; pixel standard deviation \d+\.\d \(flat under 2\.0\); entropy \d\.\d\d bits\.$/,
    );
  }
});

test("an image smaller than 64 pixels on a side is refused as too small", async () => {
  const result = await assess(await png(noise(16, 16), 16, 16), "png");
  assert.deepEqual([result.accept, result.score, result.reason], [false, 0, Reason.LowQuality]);
  assert.match(result.explanation, /^refused as low quality: 16×16 pixels, smaller than the minimum of 64 on a side/);
  const wide = await assess(await png(noise(640, 40), 640, 40), "png");
  assert.match(wide.explanation, /640×40 pixels, smaller than the minimum of 64 on a side/);
  // Past the minimum, size lowers the score a little until 512 on the shorter side.
  const [small, large] = [await assess(await png(noise(64, 64), 64, 64), "png"), await assess(await png(noise(512, 512), 512, 512), "png")];
  assert.deepEqual([small.accept, small.score, large.score], [true, 70, 100]);
});

test("a flat grey image is refused; a nearly flat one scores low", async () => {
  const flat = await assess(
    await png(
      rgb(256, 256, () => 128),
      256,
      256,
    ),
    "png",
  );
  assert.deepEqual([flat.accept, flat.score, flat.reason], [false, 0, Reason.LowQuality]);
  assert.match(flat.explanation, /pixel standard deviation 0\.0: a flat image, under 2\.0/);
  const random = seededRandom(3);
  const faint = await assess(
    await png(
      rgb(256, 256, () => 128 + (random() - 0.5) * 16),
      256,
      256,
    ),
    "png",
  ); // stdev ≈ 4.6
  const noisy = await assess(await png(noise(256, 256), 256, 256), "png");
  assert.ok(faint.score < noisy.score - 20, `faint ${faint.score}, noisy ${noisy.score}`);
  // A transparent image is judged as shown, on white: flat.
  const clear = await sharp({ create: { width: 128, height: 128, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0 } } })
    .png()
    .toBuffer();
  assert.equal((await assess(new Uint8Array(clear), "png")).reason, Reason.LowQuality);
});

/** The same PNG with its IDAT bytes garbled and the checksum recomputed, so only a full decode can tell. */
function garbleIdat(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const data = new DataView(copy.buffer);
  for (let at = 8; at < copy.length; ) {
    const length = data.getUint32(at);
    if (Buffer.from(copy.subarray(at + 4, at + 8)).toString("latin1") === "IDAT") {
      for (let i = at + 8 + 20; i < at + 8 + length - 4; i += 3) copy[i] = 0xff;
      data.setUint32(at + 8 + length, crc32(copy.subarray(at + 4, at + 8 + length)));
      return copy;
    }
    at += 12 + length;
  }
  throw new Error("no IDAT");
}

test("a truncated or damaged image is refused as corrupt", async () => {
  const whole = await png(noise(128, 128), 128, 128);
  const truncated = await assess(whole.subarray(0, whole.length >> 1), "png");
  assert.deepEqual([truncated.accept, truncated.reason], [false, Reason.Corrupt]);
  assert.match(truncated.explanation, /^refused as corrupt or unreadable: corrupt PNG: /);
  const garbled = await assess(garbleIdat(whole), "png");
  assert.deepEqual([garbled.accept, garbled.reason], [false, Reason.Corrupt], garbled.explanation);
  assert.match(garbled.explanation, /the image does not decode/);
  const jpeg = new Uint8Array(await encode(noise(128, 128), 128, 128).jpeg().toBuffer());
  const cut = Uint8Array.from([...jpeg.subarray(0, jpeg.length >> 1), 0xff, 0xd9]); // still ends with EOI
  const cutResult = await assess(cut, "jpeg");
  assert.equal(cutResult.reason, Reason.Corrupt);
  assert.match(cutResult.explanation, /premature end of data segment/);
  // Stray bytes before a marker are a harmless warning: decoded leniently, at a lower score.
  const scan = Buffer.from(jpeg).indexOf(Buffer.from([0xff, 0xda]));
  const stray = await assess(Uint8Array.from([...jpeg.subarray(0, scan), 1, 2, 3, ...jpeg.subarray(scan)]), "jpeg");
  const clean = await assess(jpeg, "jpeg");
  assert.equal(stray.accept, true, stray.explanation);
  assert.equal(stray.score, Math.round(clean.score * 0.8));
  assert.match(stray.explanation, /decoded only leniently \(VipsJpeg: Corrupt JPEG data: 3 extraneous bytes before marker 0xda\)/);
});

test("bytes of another format, or none, are the wrong type", async () => {
  const bytes = await png(noise(128, 128), 128, 128);
  assert.deepEqual(await assess(bytes, "jpeg"), {
    accept: false,
    score: 0,
    reason: Reason.WrongType,
    explanation: "refused as wrong type: the file is PNG, not JPEG.",
    checks: {},
  });
  assert.equal((await assess(new TextEncoder().encode("not an image at all"), "webp")).reason, Reason.WrongType);
});

// ------------------------------------------------------------------ BMP

const u16 = (n: number) => [n & 255, (n >>> 8) & 255];
const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

type BmpOptions = { depth?: 1 | 8 | 16 | 24 | 32; topDown?: boolean; compression?: number; palette?: number[][] };

/** A BMP of `pixels` (RGB, top-down), written as Windows writes it: BGR, rows bottom-up and padded to 4 bytes. */
function bmp(
  pixels: Uint8Array,
  width: number,
  height: number,
  { depth = 24, topDown = false, compression = 0, palette = [] }: BmpOptions = {},
): Uint8Array {
  const stride = Math.ceil((width * depth) / 32) * 4;
  const rows: number[] = [];
  for (let r = 0; r < height; r++) {
    const y = topDown ? r : height - 1 - r;
    const row = new Array<number>(stride).fill(0);
    for (let x = 0; x < width; x++) {
      const [red, green, blue] = [pixels[(y * width + x) * 3]!, pixels[(y * width + x) * 3 + 1]!, pixels[(y * width + x) * 3 + 2]!];
      if (depth === 24 || depth === 32) row.splice(x * (depth / 8), 3, blue, green, red);
      else if (depth === 16) row.splice(x * 2, 2, ...u16(((red >> 3) << 10) | ((green >> 3) << 5) | (blue >> 3)));
      else {
        const index = palette.findIndex(([r, g, b]) => r === red && g === green && b === blue);
        const bit = x * depth;
        row[bit >> 3]! |= index << (8 - depth - (bit & 7));
      }
    }
    rows.push(...row);
  }
  const table = palette.flatMap(([r, g, b]) => [b!, g!, r!, 0]);
  const offset = 54 + table.length;
  const header = [
    ...u32(40),
    ...u32(width),
    ...u32(topDown ? -height : height),
    ...u16(1),
    ...u16(depth),
    ...u32(compression),
    ...u32(rows.length),
    ...u32(2835),
    ...u32(2835),
    ...u32(palette.length),
    ...u32(0),
  ];
  return Uint8Array.from([...Buffer.from("BM"), ...u32(offset + rows.length), 0, 0, 0, 0, ...u32(offset), ...header, ...table, ...rows]);
}

test("BMP is decoded by hand, pixel for pixel, in 24-, 32-, 16-, 8- and 1-bit forms", () => {
  const [width, height] = [7, 5]; // 7 pixels: rows need padding at every depth
  const pixels = noise(width, height);
  for (const options of [{ depth: 24 }, { depth: 24, topDown: true }, { depth: 32 }] as const) {
    const decoded = decodeBmp(bmp(pixels, width, height, options));
    assert.deepEqual(decoded, { ok: true, image: { width, height, channels: 3, pixels } }, JSON.stringify(options));
  }
  // 16-bit keeps five bits a channel.
  const five = pixels.map((value) => Math.round(((value >> 3) * 255) / 31));
  assert.deepEqual(decodeBmp(bmp(pixels, width, height, { depth: 16 })), { ok: true, image: { width, height, channels: 3, pixels: five } });
  // Palettes: grey levels for 8-bit, black and white for 1-bit.
  const greys = Array.from({ length: 256 }, (_, i) => [i, i, i]);
  const random = seededRandom(9);
  const grey = Array.from({ length: width * height }, () => Math.floor(random() * 256)).flatMap((v) => [v, v, v]);
  assert.deepEqual(decodeBmp(bmp(Uint8Array.from(grey), width, height, { depth: 8, palette: greys })), {
    ok: true,
    image: { width, height, channels: 3, pixels: Uint8Array.from(grey) },
  });
  const mono = Uint8Array.from(grey.map((_v, i) => (grey[i - (i % 3)]! > 127 ? 255 : 0)));
  assert.deepEqual(
    decodeBmp(
      bmp(mono, width, height, {
        depth: 1,
        palette: [
          [0, 0, 0],
          [255, 255, 255],
        ],
      }),
    ),
    { ok: true, image: { width, height, channels: 3, pixels: mono } },
  );
});

test("a BMP is judged like any image; a cut one, or one whose RLE stream is broken, is refused as unreadable", async () => {
  const pixels = noise(200, 150);
  const accepted = await assess(bmp(pixels, 200, 150), "bmp");
  assert.equal(accepted.accept, true, accepted.explanation);
  assert.deepEqual([accepted.checks.width, accepted.checks.height], [200, 150]);
  assert.equal(
    (
      await assess(
        bmp(
          rgb(200, 150, () => 90),
          200,
          150,
        ),
        "bmp",
      )
    ).reason,
    Reason.LowQuality,
  );
  assert.equal((await assess(bmp(noise(20, 20), 20, 20), "bmp")).reason, Reason.LowQuality);

  const whole = bmp(pixels, 200, 150);
  const cut = whole.slice(0, whole.length - 1000);
  new DataView(cut.buffer).setUint32(2, cut.length, true); // a consistent file size: only the pixel data is short
  const short = await assess(cut, "bmp");
  assert.equal(short.reason, Reason.Corrupt);
  assert.match(short.explanation, /pixel data \(90000 bytes from byte 54\) runs past the end of the file/);
  // Uncompressed rows under a header that says RLE8: not an RLE stream.
  const rle = await assess(bmp(pixels, 200, 150, { depth: 8, compression: 1, palette: [[0, 0, 0]] }), "bmp");
  assert.equal(rle.reason, Reason.Corrupt, rle.explanation);
  assert.match(rle.explanation, /^refused as corrupt or unreadable: corrupt BMP: .*RLE/);
});

test("assess never throws on damaged images", async () => {
  const random = seededRandom(11);
  const sources = { png: await png(noise(96, 96), 96, 96), bmp: bmp(noise(96, 96), 96, 96) };
  for (const [type, bytes] of Object.entries(sources) as ["png" | "bmp", Uint8Array][]) {
    for (let i = 0; i < 40; i++) {
      const copy = Uint8Array.from(bytes);
      for (let flips = 0; flips < 4; flips++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      const result = await assess(copy.subarray(0, copy.length - (i % 5) * 7), type);
      assert.ok([1, 2, 3, 6].includes(result.reason), result.explanation);
    }
  }
});
