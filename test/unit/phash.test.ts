/**
 * Near-duplicate images: the perceptual hash survives resizing and re-encoding, and tells different
 * pictures apart; a corrupt image fails to decode.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { hammingDistance, hashHex, hashThumbnail, perceptualHash } from "@provena/content";

/** A 256×192 RGB picture drawn by `paint(x, y)` → [r, g, b]. */
function picture(paint: (x: number, y: number) => [number, number, number], width = 256, height = 192) {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.set(paint(x / width, y / height), (y * width + x) * 3);
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

const landscape = (x: number, y: number): [number, number, number] =>
  y < 0.5 + 0.1 * Math.sin(x * 9) ? [90 + 120 * y, 150 + 100 * y, 235] : [40 + 60 * x, 120 - 40 * y, 50];
const portrait = (x: number, y: number): [number, number, number] => {
  const r = Math.hypot(x - 0.5, y - 0.45);
  return r < 0.25 ? [230, 190, 160] : [30 + 200 * x * y, 30, 90 + 100 * (1 - x)];
};
const stripes = (x: number): [number, number, number] => (Math.floor(x * 12) % 2 ? [250, 250, 250] : [10, 10, 10]);

test("resizing and re-encoding move the hash by a few bits; other pictures by many", async () => {
  const original = await perceptualHash(await picture(landscape).png().toBuffer());
  const variants = [
    await picture(landscape).jpeg({ quality: 60 }).toBuffer(),
    await picture(landscape).resize(100, 75).webp({ quality: 70 }).toBuffer(),
    await picture(landscape, 640, 480).png().toBuffer(),
  ];
  for (const variant of variants)
    assert.ok(hammingDistance(original, await perceptualHash(variant)) <= 6, "a re-encoded or resized copy is a near-duplicate");
  for (const other of [portrait, stripes]) {
    const distance = hammingDistance(original, await perceptualHash(await picture(other).png().toBuffer()));
    assert.ok(distance >= 20, `a different picture differs in ${distance} bits`);
  }
});

test("a corrupt image fails to decode instead of hashing garbage", async () => {
  const png = await picture(landscape).png().toBuffer();
  await assert.rejects(perceptualHash(png.subarray(0, png.length / 2)));
});

test("hash arithmetic: distance, hex form, thumbnail size", () => {
  assert.equal(hammingDistance(0b1011n, 0b0001n), 2);
  assert.equal(hammingDistance(0n, (1n << 64n) - 1n), 64);
  assert.equal(hashHex(255n), "00000000000000ff");
  assert.throws(() => hashThumbnail(new Uint8Array(10)), /1024 bytes, not 10/);
  const flat = hashThumbnail(new Uint8Array(1024).fill(128));
  assert.equal(typeof flat, "bigint");
});
