// AssemblyScript (compiled by scripts/build-wasm.ts into src/fingerprint/generated/): the text fingerprint's
// hot loops, each giving exactly what its JavaScript reference in src/fingerprint/minhash.ts gives.
// The caller lays out the inputs and room for the outputs in this module's memory and passes their offsets.

const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;

// @ts-ignore: decorator
@inline
function finalise(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  return h ^ (h >>> 16);
}

// Whether any of the `n` bytes at `src` is outside ASCII: 16 bytes per step.
export function hasNonAscii(src: usize, n: i32): bool {
  let i = 0;
  let any = i8x16.splat(0);
  for (; i + 16 <= n; i += 16) any = v128.or(any, v128.load(src + <usize>i));
  if (i8x16.bitmask(any) !== 0) return true;
  for (; i < n; i++) if (load<u8>(src + <usize>i) >= 0x80) return true;
  return false;
}

// How many of the `n` bytes at `src`, from the start, are plain ASCII text: printable, or tab, line feed,
// form feed, carriage return (the sniffer's whole check for such a file, 16 bytes per step).
export function asciiTextEnd(src: usize, n: i32): i32 {
  const space = i8x16.splat(0x20);
  const del = i8x16.splat(0x7f);
  const tab = i8x16.splat(0x09);
  const lf = i8x16.splat(0x0a);
  const ff = i8x16.splat(0x0c);
  const cr = i8x16.splat(0x0d);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const v = v128.load(src + <usize>i);
    const whitespace = v128.or(v128.or(i8x16.eq(v, tab), i8x16.eq(v, lf)), v128.or(i8x16.eq(v, ff), i8x16.eq(v, cr)));
    // Below space and not allowed whitespace, or DEL, or 0x80 and above (the sign bit).
    const bad = v128.or(v128.or(v128.andnot(i8x16.lt_u(v, space), whitespace), i8x16.eq(v, del)), i8x16.lt_s(v, i8x16.splat(0)));
    if (v128.any_true(bad)) break;
  }
  for (; i < n; i++) {
    const c = <u32>load<u8>(src + <usize>i);
    if (c >= 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d)) return i;
  }
  return n;
}

// `wordHashes` of an ASCII text, a chunk at a time (a word may span two chunks: the scan's state is kept
// between calls until `last`): letters lower-cased, every byte other than a letter or digit a separator (the
// normalisation turns runs of punctuation into a space), each word's FNV-1a then murmur3's finaliser. Writes
// one u32 per word ended in this chunk at `out` (room for n / 2 + 1) and returns how many.
let wordHash: u32 = FNV_OFFSET;
let inWord = false;

export function asciiWordHashes(src: usize, n: i32, out: usize, last: bool): i32 {
  let words = 0;
  let h = wordHash;
  let open = inWord;
  for (let i = 0; i < n; i++) {
    let c = <u32>load<u8>(src + <usize>i);
    if (c - 0x41 < 26) c += 0x20;
    if (c - 0x61 < 26 || c - 0x30 < 10) {
      h = (h ^ c) * FNV_PRIME;
      open = true;
    } else if (open) {
      store<u32>(out + (<usize>words << 2), finalise(h));
      words++;
      open = false;
      h = FNV_OFFSET;
    }
  }
  if (last && open) {
    store<u32>(out + (<usize>words << 2), finalise(h));
    words++;
    open = false;
    h = FNV_OFFSET;
  }
  wordHash = h;
  inWord = open;
  return words;
}

// Folds the hashes of a shingle's words into one hash (murmur3's block step), as `hashShingle` does.
// @ts-ignore: decorator
@inline
function hashShingle(words: usize, count: i32, seed: u32): u32 {
  let h = seed;
  for (let k = 0; k < count; k++) {
    let w = load<u32>(words + (<usize>k << 2)) * 0xcc9e2d51;
    w = ((w << 15) | (w >>> 17)) * 0x1b873593;
    h ^= w;
    h = ((h << 13) | (h >>> 19)) * 5 + 0xe6546b64;
  }
  return finalise(h ^ <u32>count);
}

// The MinHash signature, a chunk of word hashes at a time: `out` holds `permutations` u32 (a multiple of 4),
// all ones before the first chunk; each call lowers them with the shingles of `span` words that start in the
// `n` hashes at `hashes` (the caller overlaps chunks by span - 1 words): for each permutation i, the minimum
// of h1 + i·h2 (mod 2^32), four permutations per SIMD instruction.
export function lowerSignature(hashes: usize, n: i32, span: i32, out: usize, permutations: i32): void {
  const lanes = permutations >> 2;
  for (let s = 0; s + span <= n; s++) {
    const at = hashes + (<usize>s << 2);
    const a = hashShingle(at, span, 0x9747b28c);
    const d = hashShingle(at, span, 0x5bd1e995) | 1;
    let v = i32x4(a, a + d, a + 2 * d, a + 3 * d);
    const step = i32x4.splat(d << 2);
    for (let j = 0; j < lanes; j++) {
      const slot = out + (<usize>j << 4);
      v128.store(slot, i32x4.min_u(v128.load(slot), v));
      v = i32x4.add(v, step);
    }
  }
}
