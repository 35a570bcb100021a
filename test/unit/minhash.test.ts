/**
 * Near-duplicate text detection: MinHash over word shingles, normalised text, LSH band keys.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { bandKeys, minhash, shingles, similarity } from "@provena/content";

/** Deterministic prose: `count` words drawn from a 2,000-word vocabulary by a seeded generator. */
function prose(seed: number, count: number): string {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  return Array.from({ length: count }, () => `w${next() % 2000}`).join(" ");
}

const jaccard = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x)).length / new Set([...a, ...b]).size;

test("formatting does not make a text new: case, punctuation, wrapping and Unicode forms are normalised", () => {
  const text = "The river rose two metres overnight. Boats were moved upstream, and the ferry stopped.";
  const reformatted = "the RIVER rose two metres\novernight -- boats were moved upstream; and the ferry stopped!!";
  assert.equal(similarity(minhash(text), minhash(reformatted)), 1);
  assert.equal(similarity(minhash("ﬁeld café"), minhash("field CAFÉ")), 1, "NFKC folds the ligature; case folds");
});

test("the estimate tracks the true Jaccard similarity of the shingle sets", () => {
  const base = prose(1, 400).split(" ");
  for (const changed of [0, 4, 20, 60, 150, 400]) {
    const edited = base.map((word, i) => (i % Math.max(1, Math.floor(400 / Math.max(1, changed))) === 0 && changed > 0 ? `x${i}` : word));
    const a = base.join(" ");
    const b = edited.join(" ");
    const truth = jaccard(shingles(a), shingles(b));
    const estimate = similarity(minhash(a), minhash(b));
    assert.ok(Math.abs(estimate - truth) < 0.15, `${changed} words changed: estimate ${estimate}, true ${truth}`);
  }
  const unrelated = similarity(minhash(prose(2, 400)), minhash(prose(3, 400)));
  assert.ok(unrelated < 0.05, `unrelated texts: ${unrelated}`);
});

test("band keys bring near-duplicates together and mostly keep unrelated texts apart", () => {
  const a = prose(4, 300);
  const near = a
    .split(" ")
    .map((word, i) => (i === 150 ? "changed" : word))
    .join(" "); // one word
  const shared = (x: string, y: string) => {
    const keys = new Set(bandKeys(minhash(x)));
    return bandKeys(minhash(y)).filter((key) => keys.has(key)).length;
  };
  assert.ok(shared(a, near) >= 16, "a one-word edit shares most bands");
  assert.equal(shared(prose(5, 300), prose(6, 300)), 0);
  assert.throws(() => bandKeys(minhash(a), 30), /128 rows do not split into 30 bands/);
});

test("short and empty texts: one shingle, and empty only matches empty", () => {
  assert.deepEqual([...shingles("Two words")], ["two words"]);
  assert.equal(similarity(minhash(""), minhash("  ...  ")), 1);
  assert.equal(similarity(minhash(""), minhash("something")), 0);
  assert.throws(() => similarity(minhash("a"), minhash("a", { shingleWords: 3, permutations: 64 })), /different lengths/);
});
