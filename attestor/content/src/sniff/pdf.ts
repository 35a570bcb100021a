/**
 * PDF from content, text-only: every object and stream is read (each stream through its filter chain —
 * ASCIIHex, ASCII85, RunLength and Flate, in any order — Flate inflated under a total budget, object
 * streams included) to find images, whether image XObjects, inline images in content, or streams in an
 * image codec, and to find text-showing operators. A PDF with any image is refused; so is one with no
 * text, an encrypted one, one whose streams cannot be read, and one with anything but line ends, spaces or tabs after
 * its last `%%EOF` (incremental updates end with their own). The text itself is read by pdf.js
 * (text/pdf.ts), within what this check bounded.
 */
import { inflateSync } from "node:zlib";
import { fileTypeByName } from "@provena/common";
import { ascii, latin1 } from "./bytes.js";

export type PdfSniff =
  | { ok: true; type: "pdf"; code: number; version: string; objects: number; textOperators: number }
  | { ok: false; error: "not_pdf" | "corrupt" | "has_images" | "no_text" | "encrypted" | "unsupported" | "too_large"; message: string };

export type PdfLimits = { maxInflatedBytes: number };

export const DEFAULT_PDF_LIMITS: PdfLimits = { maxInflatedBytes: 50_000_000 };

/** Filters that only ever carry image data. */
const IMAGE_FILTERS = ["DCTDecode", "JPXDecode", "CCITTFaxDecode", "JBIG2Decode", "DCT", "CCF"];
const IMAGE_XOBJECT = /\/Subtype\s*\/Image\b/;
const INLINE_IMAGE = /(^|\s)BI\s[\s\S]*?\sID\s/;
const TEXT_OPERATOR = /(?:\)|\]|>)\s*T[jJ]\b/g;

type Stream = { dict: string; data: Uint8Array };

/** Every `<< … >> stream … endstream` in `text`, its dictionary and raw bytes. */
function* streams(text: string, bytes: Uint8Array): Generator<Stream | string> {
  const start = /stream\r?\n/g;
  let match: RegExpExecArray | null;
  for (match = start.exec(text); match; match = start.exec(text)) {
    if (text.slice(Math.max(0, match.index - 3), match.index) === "end") continue; // "endstream"
    const dictEnd = text.lastIndexOf(">>", match.index);
    const objStart = text.lastIndexOf(" obj", match.index);
    if (dictEnd < 0 || objStart < 0 || dictEnd < objStart) {
      yield `a stream at byte ${match.index} has no dictionary`;
      return;
    }
    const dict = text.slice(objStart + 4, dictEnd + 2);
    const begin = match.index + match[0].length;
    const direct = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
    let end = direct ? begin + Number(direct[1]) : -1;
    if (end < 0 || end > bytes.length || !/^\s*endstream/.test(text.slice(end, end + 12))) end = text.indexOf("endstream", begin);
    if (end < 0) {
      yield `the stream at byte ${begin} never ends`;
      return;
    }
    yield { dict, data: bytes.subarray(begin, end) };
    start.lastIndex = end;
  }
}

/** What a filter chain's decoding came to: the bytes, or why there are none. */
type Decoded = { ok: true; data: Uint8Array } | { ok: false; error: "corrupt" | "too_large" | "unsupported"; message: string };

const WHITE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);

/** ASCIIHexDecode: hex digit pairs, white space ignored, up to `>` (an odd last digit is followed by 0). */
function asciiHex(data: Uint8Array): Decoded {
  const out: number[] = [];
  let high = -1;
  for (const byte of data) {
    if (byte === 0x3e) break; // ">"
    if (WHITE.has(byte)) continue;
    const digit = Number.parseInt(String.fromCharCode(byte), 16);
    if (Number.isNaN(digit)) return { ok: false, error: "corrupt", message: `an ASCIIHex stream holds the byte 0x${byte.toString(16)}` };
    if (high < 0) high = digit;
    else {
      out.push(high * 16 + digit);
      high = -1;
    }
  }
  if (high >= 0) out.push(high * 16);
  return { ok: true, data: Uint8Array.from(out) };
}

/** ASCII85Decode: groups of five characters `!`..`u` to four bytes, `z` for four zeros, up to `~>`. */
function ascii85(data: Uint8Array): Decoded {
  const out: number[] = [];
  const group: number[] = [];
  const flush = (count: number) => {
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 85 + (group[i] ?? 84);
    if (value > 0xffffffff) return false;
    for (let i = 0; i < count; i++) out.push((value >>> (24 - 8 * i)) & 0xff);
    return true;
  };
  for (const byte of data) {
    if (byte === 0x7e) break; // "~" of "~>"
    if (WHITE.has(byte)) continue;
    if (byte === 0x7a && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    if (byte < 0x21 || byte > 0x75)
      return { ok: false, error: "corrupt", message: `an ASCII85 stream holds the byte 0x${byte.toString(16)}` };
    group.push(byte - 0x21);
    if (group.length === 5) {
      if (!flush(4)) return { ok: false, error: "corrupt", message: "an ASCII85 group is out of range" };
      group.length = 0;
    }
  }
  if (group.length === 1) return { ok: false, error: "corrupt", message: "an ASCII85 stream ends with a lone character" };
  if (group.length > 1 && !flush(group.length - 1)) return { ok: false, error: "corrupt", message: "an ASCII85 group is out of range" };
  return { ok: true, data: Uint8Array.from(out) };
}

/** RunLengthDecode: a length byte n, then n + 1 literal bytes (n < 128) or one byte repeated 257 − n times; 128 ends. */
function runLength(data: Uint8Array, budget: number): Decoded {
  const out: number[] = [];
  for (let at = 0; at < data.length; ) {
    const n = data[at++]!;
    if (n === 128) break;
    if (n < 128) {
      if (at + n + 1 > data.length) return { ok: false, error: "corrupt", message: "a RunLength stream ends inside a run" };
      for (let i = 0; i <= n; i++) out.push(data[at++]!);
    } else {
      if (at >= data.length) return { ok: false, error: "corrupt", message: "a RunLength stream ends inside a run" };
      const byte = data[at++]!;
      for (let i = 0; i < 257 - n; i++) out.push(byte);
    }
    if (out.length > budget) return { ok: false, error: "too_large", message: "a RunLength stream expands past the budget" };
  }
  return { ok: true, data: Uint8Array.from(out) };
}

/**
 * A stream's data through its filter chain, in order, Flate within `budget` bytes of output. Filters that
 * this check cannot read (LZW, Crypt…) are `unsupported`; image codecs are refused before this.
 */
function decodeChain(filters: string[], data: Uint8Array, budget: number, maxInflatedBytes: number): Decoded {
  let current = data;
  for (const filter of filters) {
    let step: Decoded;
    if (filter === "FlateDecode" || filter === "Fl") {
      try {
        step = { ok: true, data: inflateSync(current, { maxOutputLength: Math.max(1, budget) }) };
      } catch (error) {
        const message = (error as Error).message;
        step = /larger than|maxOutputLength|buffer/i.test(message)
          ? { ok: false, error: "too_large", message: `its streams inflate to more than ${maxInflatedBytes.toLocaleString("en-US")} bytes` }
          : { ok: false, error: "corrupt", message: `a Flate stream does not inflate: ${message}` };
      }
    } else if (filter === "ASCIIHexDecode" || filter === "AHx") step = asciiHex(current);
    else if (filter === "ASCII85Decode" || filter === "A85") step = ascii85(current);
    else if (filter === "RunLengthDecode" || filter === "RL") step = runLength(current, budget);
    else return { ok: false, error: "unsupported", message: `a stream uses the filter ${filter}, which is not read here` };
    if (!step.ok) return step;
    current = step.data;
  }
  return { ok: true, data: current };
}

/** Whether only white space follows the last `%%EOF` (what a producer writes; anything else was appended). */
function endsAtEof(text: string): boolean {
  const at = text.lastIndexOf("%%EOF");
  return at >= 0 && /^[\r\n\t \f]*$/.test(text.slice(at + 5));
}

const filtersOf = (dict: string) => [...(/\/Filter\s*(\[[^\]]*\]|\/\w+)/.exec(dict)?.[1] ?? "").matchAll(/\/(\w+)/g)].map((m) => m[1]!);

/** Whether `bytes` are a text-only PDF; or why not. Never throws. */
export function sniffPdf(bytes: Uint8Array, limits: PdfLimits = DEFAULT_PDF_LIMITS): PdfSniff {
  // The header first: every file that is not a PDF is asked, and decoding all of a large one costs ~10 ms.
  if (ascii(bytes, 0, 5) !== "%PDF-") return { ok: false, error: "not_pdf", message: "no %PDF- header: not a PDF document" };
  const text = latin1(bytes);
  const version = /^%PDF-(\d\.\d)/.exec(text)?.[1];
  if (!version) return { ok: false, error: "not_pdf", message: "no %PDF- header: not a PDF document" };
  const corrupt = (message: string): PdfSniff => ({ ok: false, error: "corrupt", message: `corrupt PDF: ${message}` });
  if (!text.slice(-1024).includes("%%EOF")) return corrupt("no %%EOF marker at its end (truncated?)");
  if (!endsAtEof(text)) return corrupt("data after its last %%EOF marker (something was appended to it)");
  if (!/\bstartxref\s+\d+/.test(text.slice(-1024))) return corrupt("no startxref at its end");
  if (/\/Encrypt\b/.test(text)) return { ok: false, error: "encrypted", message: "encrypted PDF: its content cannot be checked" };
  const objects = text.match(/\b\d+\s+\d+\s+obj\b/g)?.length ?? 0;
  if (objects === 0) return corrupt("no objects");
  if (IMAGE_XOBJECT.test(text))
    return { ok: false, error: "has_images", message: "contains an image XObject: only text PDFs are accepted" };

  let budget = limits.maxInflatedBytes;
  let textOperators = 0;
  for (const stream of streams(text, bytes)) {
    if (typeof stream === "string") return corrupt(stream);
    const filters = filtersOf(stream.dict);
    const imageFilter = filters.find((f) => IMAGE_FILTERS.includes(f));
    if (imageFilter)
      return { ok: false, error: "has_images", message: `contains a ${imageFilter} stream (image data): only text PDFs are accepted` };
    const decoded = decodeChain(filters, stream.data, budget, limits.maxInflatedBytes);
    if (!decoded.ok)
      return decoded.error === "corrupt" ? corrupt(decoded.message) : { ok: false, error: decoded.error, message: decoded.message };
    if (filters.length > 0) budget -= decoded.data.length;
    const content = latin1(decoded.data);
    if (IMAGE_XOBJECT.test(content))
      return { ok: false, error: "has_images", message: "contains an image XObject (in an object stream): only text PDFs are accepted" };
    if (INLINE_IMAGE.test(content))
      return { ok: false, error: "has_images", message: "contains an inline image: only text PDFs are accepted" };
    textOperators += content.match(TEXT_OPERATOR)?.length ?? 0;
  }
  if (textOperators === 0) return { ok: false, error: "no_text", message: "shows no text (no Tj/TJ operator in any content stream)" };
  return { ok: true, type: "pdf", code: fileTypeByName("pdf").code, version, objects, textOperators };
}
