// AssemblyScript (compiled by scripts/build-wasm.ts into src/fingerprint/generated/): MinHash's hot loop in
// 128-bit SIMD, four permutations per instruction. For each permutation i, the minimum over the n shingles
// of h1 + i·h2 (mod 2^32), exactly as `minimaInJs` computes it. The caller lays out, in this module's memory,
// h1 (n u32) at `h1`, h2 (n u32) at `h2`, and room for `permutations` u32 (a multiple of 4) at `out`.
export function minima(n: i32, h1: usize, h2: usize, out: usize, permutations: i32): void {
  const lanes = permutations >> 2;
  for (let j = 0; j < lanes; j++) v128.store(out + (<usize>j << 4), i32x4.splat(-1));
  for (let s = 0; s < n; s++) {
    const a = load<u32>(h1 + (<usize>s << 2));
    const d = load<u32>(h2 + (<usize>s << 2));
    let v = i32x4(a, a + d, a + 2 * d, a + 3 * d);
    const step = i32x4.splat(d << 2);
    for (let j = 0; j < lanes; j++) {
      const at = out + (<usize>j << 4);
      v128.store(at, i32x4.min_u(v128.load(at), v));
      v = i32x4.add(v, step);
    }
  }
}
