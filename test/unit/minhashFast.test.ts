/**
 * The fast paths of the text fingerprint give exactly the reference's signature: word hashes scanned from the
 * text without a string per word, the ASCII short cut of normalisation, and the WebAssembly SIMD minima.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { minhash } from "@provena/content";
import { minhashOfHashes, minimaInJs, wordHashes, words } from "../../attestor/content/src/fingerprint/minhash.js";
import { fastMinima } from "../../attestor/content/src/fingerprint/wasmMinima.js";
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

test("the WebAssembly minima equal the JavaScript loop's, and the module is built and used here", async () => {
  const minima = await fastMinima();
  assert.notEqual(minima, minimaInJs, "the SIMD module was not loaded: run npm run build");
  for (const text of [...samples, new TextDecoder().decode(prose(12, 20_000))]) {
    const hashes = wordHashes(text);
    assert.deepEqual(minhashOfHashes(hashes, undefined, minima), minhashOfHashes(hashes, undefined, minimaInJs));
  }
});
