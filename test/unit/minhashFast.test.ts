/**
 * The fast paths of the text fingerprint give exactly the reference's signature: word hashes scanned from the
 * text without a string per word, the ASCII short cut of normalisation, and the WebAssembly module's word hashes and SIMD signature.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { minhash } from "@provena/content";
import { minhashOfHashes, wordHashes, words } from "../../attestor/content/src/fingerprint/minhash.js";
import { fastTextFingerprinter, textFingerprinterInJs } from "../../attestor/content/src/fingerprint/wasmFingerprint.js";
import { prose } from "../fixtures/prose.js";

const samples = [
  new TextDecoder().decode(prose(11, 400)),
  "Ünïcödé — texts: ﬁeld CAFÉ, naïve\u00a0spaces\u2003and\ttabs\nand 123 numbers; «quotes» 漢字かな交じり文 end",
  "one",
  "two words",
  "   ",
  "",
];

test("word hashes scanned from the text are those of its words, ASCII or not", async () => {
  for (const text of samples) {
    const expected = minhash(text);
    const fast = minhashOfHashes(wordHashes(text));
    assert.deepEqual(fast, expected, JSON.stringify(text.slice(0, 40)));
    assert.equal(wordHashes(text).length, words(text).length);
  }
});

test("the WebAssembly fingerprint equals the JavaScript reference's, and the module is built and used here", async () => {
  const fast = await fastTextFingerprinter();
  assert.notEqual(fast, textFingerprinterInJs, "the WebAssembly module was not loaded: run npm run build");
  // 1 MiB chunks: a text of several, with a word cut by each chunk boundary, and one of exactly one chunk.
  const long = new TextDecoder().decode(prose(12, 50_000));
  const oneChunk = "word ".repeat(1 << 18).slice(0, 1 << 20);
  const punctuation = "Hello, WORLD!! it's   a\ttest--of\r\npunct.\u0001ctrl 42x";
  for (const text of [...samples, long, oneChunk, punctuation]) {
    const label = `${JSON.stringify(text.slice(0, 30))} (${text.length} characters)`;
    const hashes = wordHashes(text);
    const ascii = /^[\x00-\x7f]*$/.test(text);
    const fromBytes = fast.asciiWordHashes(new TextEncoder().encode(text));
    if (ascii) assert.deepEqual(fromBytes, hashes, label);
    else assert.equal(fromBytes, undefined, label);
    assert.deepEqual(fast.signatureOfHashes(hashes), minhashOfHashes(hashes), label);
  }
  assert.ok(long.length > 2 << 20, "the long text spans several chunks");
  // More words than one chunk of hashes (262,144), so the shingles that straddle two chunks count.
  const many = Uint32Array.from({ length: 600_001 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 0);
  assert.deepEqual(fast.signatureOfHashes(many), minhashOfHashes(many));
  assert.deepEqual(
    fast.signatureOfHashes(many, { shingleWords: 5, permutations: 64 }),
    minhashOfHashes(many, { shingleWords: 5, permutations: 64 }),
  );
  // A signature length the SIMD loop cannot split in fours falls back to the reference.
  assert.deepEqual(
    fast.signatureOfHashes(many.subarray(0, 99), { shingleWords: 3, permutations: 6 }),
    minhashOfHashes(many.subarray(0, 99), { shingleWords: 3, permutations: 6 }),
  );
});
