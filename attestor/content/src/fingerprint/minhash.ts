/**
 * Near-duplicate text: MinHash signatures over word shingles, their Jaccard estimate, and LSH band
 * keys for finding candidates without comparing against every stored signature.
 *
 * Text is normalised first (Unicode NFKC, case-folded, punctuation dropped, whitespace collapsed), so
 * re-wrapping, re-casing or re-punctuating a text does not make it new.
 */

export type MinHashOptions = {
  /** Words per shingle. */
  shingleWords: number;
  /** Signature length: the estimate's standard error is about 1/√permutations. */
  permutations: number;
};

export const DEFAULT_MINHASH: MinHashOptions = { shingleWords: 3, permutations: 128 };

/** The text as its words are read: NFKC (skipped for ASCII, where it changes nothing), lower case, punctuation as spaces. */
function normalised(text: string): string {
  return /^[\x00-\x7f]*$/.test(text)
    ? text.toLowerCase().replace(/[^a-z0-9\s]+/g, " ")
    : text
        .normalize("NFKC")
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s]+/gu, " ");
}

/** Words of the normalised text. */
export function words(text: string): string[] {
  return normalised(text)
    .split(/\s+/)
    .filter((word) => word.length > 0);
}

/** Whether a UTF-16 code unit is white space as `\s` reads it. */
const isSpace = (c: number) =>
  c === 0x20 ||
  (c >= 0x09 && c <= 0x0d) ||
  (c >= 0x80 &&
    (c === 0xa0 ||
      c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x202f ||
      c === 0x205f ||
      c === 0x3000 ||
      c === 0xfeff));

/** The hash of each of the text's `words`, in order, computed as they are scanned: no string per word. */
export function wordHashes(text: string): Uint32Array {
  const source = normalised(text);
  const out: number[] = [];
  let h = 0x811c9dc5;
  let inWord = false;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (isSpace(c)) {
      if (inWord) out.push(finalise(h));
      inWord = false;
      h = 0x811c9dc5;
      continue;
    }
    h = Math.imul(h ^ c, 0x01000193);
    inWord = true;
  }
  if (inWord) out.push(finalise(h));
  return Uint32Array.from(out);
}

/** The distinct shingles (runs of `size` consecutive words); a text shorter than one shingle is one shingle. */
export function shingles(text: string, size = DEFAULT_MINHASH.shingleWords): Set<string> {
  const list = words(text);
  if (list.length <= size) return new Set(list.length === 0 ? [] : [list.join(" ")]);
  const result = new Set<string>();
  for (let i = 0; i + size <= list.length; i++) result.add(list.slice(i, i + size).join(" "));
  return result;
}

const finalise = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** 32-bit FNV-1a over the UTF-16 code units, then murmur3's finaliser to spread the bits. */
function hashWord(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return finalise(h);
}

/** Folds the hashes of a shingle's words, in order, into one 32-bit hash (murmur3's block step). */
function hashShingle(words: Uint32Array, from: number, count: number, seed: number): number {
  let h = seed;
  for (let k = from; k < from + count; k++) {
    let w = Math.imul(words[k]!, 0xcc9e2d51);
    w = Math.imul((w << 15) | (w >>> 17), 0x1b873593);
    h ^= w;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  return finalise(h ^ count);
}

/**
 * The MinHash signature: for each of `permutations` hash functions, the minimum over the shingles.
 * The i-th function is h1 + i·h2 (Kirsch–Mitzenmacher double hashing), so each shingle is hashed twice.
 * Shingles are hashed from their words' hashes, never built as strings, and not de-duplicated (a
 * minimum is the same however often a value occurs): a 4 MB text takes a fraction of a second.
 * An empty text has the all-ones signature, similar only to other empty texts.
 */
export const minhash = (text: string, options: MinHashOptions = DEFAULT_MINHASH): Uint32Array =>
  minhashOfHashes(Uint32Array.from(words(text), hashWord), options);

/** Each shingle's two hashes (h1, and h2 made odd), for shingles of `span` words over the word hashes. */
function shingleHashes(hashes: Uint32Array, span: number, h1: Uint32Array, h2: Uint32Array): void {
  for (let start = 0; start + span <= hashes.length; start++) {
    h1[start] = hashShingle(hashes, start, span, 0x9747b28c);
    h2[start] = hashShingle(hashes, start, span, 0x5bd1e995) | 1;
  }
}

/** For each permutation i, the minimum over the shingles of h1 + i·h2 (mod 2^32). */
function minima(h1: Uint32Array, h2: Uint32Array, permutations: number): Uint32Array {
  const signature = new Uint32Array(permutations).fill(0xffffffff);
  for (let s = 0; s < h1.length; s++) {
    const step = h2[s]!;
    // h1 + i·h2 for i = 0, 1, …, stepped by addition (mod 2^32).
    for (let i = 0, h = h1[s]!; i < permutations; i++, h = (h + step) >>> 0) {
      if (h < signature[i]!) signature[i] = h;
    }
  }
  return signature;
}

/** `minhash` over a text's word hashes (`wordHashes`): the reference that the WebAssembly module (wasmFingerprint.ts) matches. */
export function minhashOfHashes(hashes: Uint32Array, options: MinHashOptions = DEFAULT_MINHASH): Uint32Array {
  if (hashes.length === 0) return new Uint32Array(options.permutations).fill(0xffffffff);
  // A text shorter than one shingle is one shingle, as in `shingles`.
  const span = Math.min(options.shingleWords, hashes.length);
  const count = hashes.length - span + 1;
  const h1 = new Uint32Array(count);
  const h2 = new Uint32Array(count);
  shingleHashes(hashes, span, h1, h2);
  return minima(h1, h2, options.permutations);
}

/** Estimated Jaccard similarity of the two texts' shingle sets: the fraction of equal positions. */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new RangeError(`signatures of different lengths (${a.length} and ${b.length})`);
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return equal / a.length;
}

/**
 * LSH band keys: the signature cut into `bands` bands, each band hashed to a key. Two texts share a
 * key with probability 1 − (1 − s^r)^b at similarity s (r rows per band): 32 bands of 4 rows find a
 * pair at s = 0.8 with probability > 0.9999, and one at s = 0.3 with probability ~0.23, so candidates
 * are then checked with `similarity`.
 */
export function bandKeys(signature: Uint32Array, bands = 32): string[] {
  if (signature.length % bands !== 0) throw new RangeError(`${signature.length} rows do not split into ${bands} bands`);
  const rows = signature.length / bands;
  const keys: string[] = [];
  for (let band = 0; band < bands; band++) {
    const slice = signature.subarray(band * rows, (band + 1) * rows);
    keys.push(`${band}:${Array.from(slice, (v) => v.toString(16).padStart(8, "0")).join("")}`);
  }
  return keys;
}
