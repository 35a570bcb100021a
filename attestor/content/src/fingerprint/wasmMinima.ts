/**
 * MinHash's minima in WebAssembly SIMD (attestor/content/wasm/minima.ts, built by `npm run build`): about
 * 2.5 times the JavaScript loop's speed, with the same result. Loaded once, on first use; where the module
 * was not built or the engine has no SIMD, `minimaInJs` is used instead.
 */
import { type Minima, minimaInJs } from "./minhash.js";

type Memory = { buffer: ArrayBuffer; grow(pages: number): number };
type Exports = { minima: (n: number, h1: number, h2: number, out: number, permutations: number) => void; memory: Memory };
/** The engine's WebAssembly, typed for the little used here (the project's TypeScript libs declare none). */
const wasm = (
  globalThis as unknown as {
    WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => { exports: Exports } };
  }
).WebAssembly;

const PAGE = 65_536;

function fromModule(base64: string): Minima {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const { exports } = new wasm.Instance(new wasm.Module(bytes), { env: { abort: () => {} } });
  return (h1, h2, permutations) => {
    if (permutations % 4 !== 0) return minimaInJs(h1, h2, permutations);
    const n = h1.length;
    const base = 16;
    const need = base + 8 * n + 4 * permutations;
    const have = exports.memory.buffer.byteLength;
    if (have < need) exports.memory.grow(Math.ceil((need - have) / PAGE));
    const memory = exports.memory.buffer;
    new Uint32Array(memory, base, n).set(h1);
    new Uint32Array(memory, base + 4 * n, n).set(h2);
    const out = base + 8 * n;
    exports.minima(n, base, base + 4 * n, out, permutations);
    return new Uint32Array(memory.slice(out, out + 4 * permutations));
  };
}

let loading: Promise<Minima> | undefined;

/** The fastest minima this process can run: the SIMD module's, or JavaScript's. */
export const fastMinima = (): Promise<Minima> =>
  (loading ??= import("./generated/minimaWasm.js").then(
    ({ MINIMA_WASM }) => fromModule(MINIMA_WASM),
    () => minimaInJs,
  ));
