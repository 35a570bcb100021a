/**
 * The text fingerprint's hot loops in WebAssembly (attestor/content/wasm/textFingerprint.ts, built by
 * `npm run build`), with the JavaScript reference's results: an ASCII text's word hashes read straight from
 * its bytes (no string, no normalisation pass) and MinHash's shingles and minima in SIMD, about 5 times the
 * JavaScript's speed on a 4 MB text. Loaded once per thread, on first use; where the module was not built or
 * the engine has no SIMD, the JavaScript is used instead. Inputs go through the module's memory a chunk at a
 * time, so its memory stays a few MiB whatever the file's size.
 */
import { DEFAULT_MINHASH, type MinHashOptions, minhashOfHashes } from "./minhash.js";

export type TextFingerprinter = {
  /** `minhashOfHashes`: the MinHash signature of a text's word hashes. */
  signatureOfHashes(hashes: Uint32Array, options?: MinHashOptions): Uint32Array;
  /** `wordHashes` of the bytes' text when every byte is ASCII, or undefined (read the text as Unicode then). */
  asciiWordHashes(bytes: Uint8Array): Uint32Array | undefined;
  /**
   * How many of the bytes, from the start, are plain ASCII text (printable, tab, line feed, form feed,
   * carriage return): all of them settles the sniffer's check without decoding. 0 where unknown.
   */
  asciiTextEnd(bytes: Uint8Array): number;
};

export const textFingerprinterInJs: TextFingerprinter = {
  signatureOfHashes: (hashes, options) => minhashOfHashes(hashes, options),
  asciiWordHashes: () => undefined,
  asciiTextEnd: () => 0,
};

type Memory = { buffer: ArrayBuffer; grow(pages: number): number };
type Exports = {
  memory: Memory;
  hasNonAscii(src: number, n: number): number;
  asciiTextEnd(src: number, n: number): number;
  asciiWordHashes(src: number, n: number, out: number, last: number): number;
  lowerSignature(hashes: number, n: number, span: number, out: number, permutations: number): void;
};
/** The engine's WebAssembly, typed for the little used here (the project's TypeScript libs declare none). */
const wasm = (
  globalThis as unknown as {
    WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => { exports: Exports } };
  }
).WebAssembly;

const PAGE = 65_536;
/** Bytes (or word hashes) handed to the module per call. */
const CHUNK = 1 << 20;
/** Where inputs start in the module's memory (its stub runtime keeps no data of its own past its statics). */
const BASE = 1_024;

function fromModule(base64: string): TextFingerprinter {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const { exports } = new wasm.Instance(new wasm.Module(bytes), { env: { abort: () => {} } });
  // A chunk of input (bytes, or word hashes with a shingle's overlap), then what it can produce: at most one
  // word hash per two bytes, 4 bytes each, or the signature.
  const output = BASE + CHUNK + 64;
  const need = output + 2 * CHUNK + 64;
  const have = exports.memory.buffer.byteLength;
  if (have < need) exports.memory.grow(Math.ceil((need - have) / PAGE));
  const input = () => new Uint8Array(exports.memory.buffer, BASE, CHUNK);

  const asciiWordHashes = (text: Uint8Array): Uint32Array | undefined => {
    for (let at = 0; at < text.length; at += CHUNK) {
      const part = text.subarray(at, at + CHUNK);
      input().set(part);
      if (exports.hasNonAscii(BASE, part.length)) return undefined;
    }
    const parts: Uint32Array[] = [];
    let total = 0;
    for (let at = 0; at === 0 || at < text.length; at += CHUNK) {
      const part = text.subarray(at, at + CHUNK);
      input().set(part);
      const count = exports.asciiWordHashes(BASE, part.length, output, at + CHUNK >= text.length ? 1 : 0);
      parts.push(new Uint32Array(exports.memory.buffer.slice(output, output + 4 * count)));
      total += count;
    }
    const hashes = new Uint32Array(total);
    let offset = 0;
    for (const part of parts) {
      hashes.set(part, offset);
      offset += part.length;
    }
    return hashes;
  };

  const signatureOfHashes = (hashes: Uint32Array, options: MinHashOptions = DEFAULT_MINHASH): Uint32Array => {
    const { permutations } = options;
    if (permutations % 4 !== 0 || hashes.length === 0) return minhashOfHashes(hashes, options);
    // A text shorter than one shingle is one shingle, as in `shingles`.
    const span = Math.min(options.shingleWords, hashes.length);
    const words = CHUNK / 4;
    const out = new Uint32Array(exports.memory.buffer, output, permutations);
    out.fill(0xffffffff);
    // Chunks of shingle starts; each chunk carries the span - 1 words its last shingles end on.
    for (let start = 0; start + span <= hashes.length; start += words) {
      const chunk = hashes.subarray(start, Math.min(hashes.length, start + words + span - 1));
      new Uint32Array(exports.memory.buffer, BASE, chunk.length).set(chunk);
      exports.lowerSignature(BASE, chunk.length, span, output, permutations);
    }
    return new Uint32Array(exports.memory.buffer.slice(output, output + 4 * permutations));
  };

  const asciiTextEnd = (bytes: Uint8Array): number => {
    for (let at = 0; at < bytes.length; at += CHUNK) {
      const part = bytes.subarray(at, at + CHUNK);
      input().set(part);
      const end = exports.asciiTextEnd(BASE, part.length);
      if (end < part.length) return at + end;
    }
    return bytes.length;
  };

  return { asciiWordHashes, signatureOfHashes, asciiTextEnd };
}

let loading: Promise<TextFingerprinter> | undefined;
let loaded: TextFingerprinter | undefined;

/** The fingerprinter `fastTextFingerprinter` has loaded on this thread, if it has: for synchronous callers. */
export const loadedTextFingerprinter = (): TextFingerprinter | undefined => loaded;

/** The fastest text fingerprinter this thread can run: the WebAssembly module's, or JavaScript's. */
export const fastTextFingerprinter = (): Promise<TextFingerprinter> =>
  (loading ??= import("./generated/textFingerprintWasm.js")
    .then(
      ({ TEXT_FINGERPRINT_WASM }) => fromModule(TEXT_FINGERPRINT_WASM),
      () => textFingerprinterInJs,
    )
    .then((fingerprinter) => (loaded = fingerprinter)));
