/**
 * The sniffer's ASCII short cut (a SIMD scan in the text fingerprint's WebAssembly module) gives exactly the
 * answers of the full check: the same type, counts and refusal, wherever the first byte that is not plain
 * ASCII text lies (inside a 16-byte step, in the tail, across a 1 MiB chunk).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fastTextFingerprinter, sniffText } from "@provena/content";
import { textFingerprinterInJs } from "../../attestor/content/src/fingerprint/wasmFingerprint.js";
import { prose } from "../fixtures/prose.js";

const MiB = 1 << 20;
const reference = (bytes: Uint8Array) => {
  for (let at = 0; at < bytes.length; at++) {
    const c = bytes[at]!;
    if (c >= 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d)) return at;
  }
  return bytes.length;
};
const withByte = (base: Uint8Array, at: number, byte: number) => {
  const copy = base.slice();
  copy[at] = byte;
  return copy;
};

const base = prose(5, 60_000)
  .subarray(0, 2 * MiB + 37)
  .map((c) => (c >= 0x80 ? 0x61 : c)); // ASCII prose over two chunks and a tail
const markdown = new TextEncoder().encode("# Notes\r\n\f\tSee [the map](https://example.org/map).\n\n> quoted\n");
const cases: Uint8Array[] = [base, markdown, base.subarray(0, 15), base.subarray(0, 16), base.subarray(0, 17)];
for (const at of [0, 1, 15, 16, 17, 31, MiB - 1, MiB, MiB + 1, base.length - 17, base.length - 1])
  for (const byte of [0x00, 0x08, 0x0b, 0x1f, 0x7f, 0x80, 0xc3, 0xff]) cases.push(withByte(base, at, byte));
cases.push(new TextEncoder().encode("naïve 漢字 😀 \u0001 end"), Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]));

test("the ASCII short cut answers as the full check does, and the module is loaded and used", async () => {
  const full = cases.map((bytes) => sniffText(bytes)); // before the module is loaded: the full check only
  const fast = await fastTextFingerprinter();
  assert.notEqual(fast, textFingerprinterInJs, "the WebAssembly module was not loaded: run npm run build");
  cases.forEach((bytes, n) => {
    assert.equal(fast.asciiTextEnd(bytes), reference(bytes), `case ${n}: where plain ASCII text ends`);
    assert.deepEqual(sniffText(bytes), full[n], `case ${n}`);
  });
  const md = sniffText(markdown);
  assert.deepEqual([md.ok && md.type, sniffText(base).ok], ["md", true], "the short cut still tells Markdown");
});
