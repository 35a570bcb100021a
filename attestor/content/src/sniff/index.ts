/**
 * A file's type, decided from its bytes alone: each format's signature picks its parser, the parser
 * reads the structure (dimensions, duration, text), and a file that is also a second format
 * (a polyglot) is refused. The name a client gives a file never counts.
 */
import { fileTypeByCode, type FileTypeName, type Modality } from "@provena/common";
import { sniffAudio } from "./audio.js";
import { DEFAULT_DOCX_LIMITS, sniffDocx, type DocxLimits } from "./docx.js";
import { DEFAULT_IMAGE_LIMITS, sniffImage, type ImageLimits } from "./image.js";
import { DEFAULT_PDF_LIMITS, sniffPdf, type PdfLimits } from "./pdf.js";
import { sniffText } from "./text.js";
import { ascii, latin1, view } from "./bytes.js";

export type SniffLimits = ImageLimits & DocxLimits & PdfLimits;
export const DEFAULT_SNIFF_LIMITS: SniffLimits = { ...DEFAULT_IMAGE_LIMITS, ...DEFAULT_DOCX_LIMITS, ...DEFAULT_PDF_LIMITS };

/** What a parser learnt about the file: dimensions, duration, text length… */
export type SniffDetails = Record<string, number | string>;

export type Sniffed =
  | { ok: true; type: FileTypeName; code: number; modality: Modality; details: SniffDetails }
  | { ok: false; error: string; message: string };

/** A second format's markers in a file parsed as `type`: a ZIP's end record, or a PDF's header and end. */
function secondFormat(bytes: Uint8Array, type: FileTypeName | undefined): string | undefined {
  const last = (count: number) => latin1(bytes.subarray(Math.max(0, bytes.length - count)));
  if (type !== "docx" && hasZipDirectory(bytes)) return "a ZIP archive";
  if (type !== "pdf" && /%PDF-\d\.\d/.test(latin1(bytes.subarray(0, 1024))) && last(1024).includes("%%EOF")) return "a PDF document";
  return undefined;
}

/**
 * Whether the last 64 KiB hold a ZIP end-of-central-directory record that a reader would use: its
 * signature, and a central directory header (or a ZIP64 locator) where the record says. The signature
 * alone turns up by chance in about one compressed file in 65,000.
 */
function hasZipDirectory(bytes: Uint8Array): boolean {
  const data = view(bytes);
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    // Byte by byte: this runs over up to 64 KiB of every file, and a string per position cost ~10 ms per file.
    if (bytes[at] !== 0x50 || bytes[at + 1] !== 0x4b || bytes[at + 2] !== 0x05 || bytes[at + 3] !== 0x06) continue;
    const directorySize = data.getUint32(at + 12, true);
    const directoryOffset = data.getUint32(at + 16, true);
    // Right before the record (archives appended to another file keep offsets relative to their own start), or at its offset.
    if (ascii(bytes, at - directorySize, 4) === "PK\u0001\u0002" || ascii(bytes, directoryOffset, 4) === "PK\u0001\u0002") return true;
    if (ascii(bytes, at - 20, 4) === "PK\u0006\u0007") return true;
    // An empty archive is just the record.
    if (directorySize === 0 && data.getUint16(at + 10, true) === 0) return true;
  }
  return false;
}

/** The file's type from its content, or the reason it is refused. Never throws. */
export function sniffFile(bytes: Uint8Array, limits: SniffLimits = DEFAULT_SNIFF_LIMITS): Sniffed {
  const result = parse(bytes, limits);
  if (!result.ok) {
    // Data after a format's end is refused as corrupt; when that data is a ZIP or PDF, say what it is. A ZIP or
    // PDF that is itself damaged is not one riding along.
    if (result.error !== "corrupt" || ascii(bytes, 0, 4) === "PK\u0003\u0004" || ascii(bytes, 0, 5) === "%PDF-") return result;
    const riding = secondFormat(bytes, undefined);
    return riding
      ? { ok: false, error: "polyglot", message: `${result.message}, and that data is ${riding}: refused as a polyglot` }
      : result;
  }
  const other = secondFormat(bytes, result.type);
  if (other)
    return {
      ok: false,
      error: "polyglot",
      message: `the file parses as ${result.type.toUpperCase()} but is also ${other}: refused as a polyglot`,
    };
  return result;
}

const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;

/**
 * The UTF-16 byte order the bytes read as text in, if either: a byte order mark, or (without one) a strict
 * decoding with no control characters whose characters are nearly all letters, digits, punctuation and
 * spaces — which binary data, full of unpaired surrogates and control codes, is not — from bytes that are
 * not mostly ASCII themselves (pairs of ASCII letters read as CJK ideographs in UTF-16).
 */
function utf16Order(bytes: Uint8Array): "little-endian" | "big-endian" | undefined {
  if (bytes.length < 2 || bytes.length % 2 !== 0) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "little-endian";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "big-endian";
  let ascii = 0;
  for (const byte of bytes) if (byte >= 0x20 && byte < 0x7f) ascii++;
  if (ascii > 0.8 * bytes.length) return undefined;
  for (const [label, order] of [
    ["utf-16le", "little-endian"],
    ["utf-16be", "big-endian"],
  ] as const) {
    let text: string;
    try {
      text = new TextDecoder(label, { fatal: true }).decode(bytes);
    } catch {
      continue;
    }
    if (CONTROL.test(text)) continue;
    const readable = text.match(/[\p{L}\p{M}\p{N}\p{P}\s]/gu)?.length ?? 0;
    if (readable >= 0.95 * [...text].length) return order;
  }
  return undefined;
}

function parse(bytes: Uint8Array, limits: SniffLimits): Sniffed {
  const found = (code: number, details: SniffDetails): Sniffed => {
    const info = fileTypeByCode(code)!;
    return { ok: true, type: info.name as FileTypeName, code, modality: info.modality, details };
  };
  const image = sniffImage(bytes, limits);
  if (image.ok) return found(image.code, { width: image.width, height: image.height });
  if (image.error !== "not_image") return image;
  const audio = sniffAudio(bytes);
  if (audio.ok)
    return found(audio.code, { durationSeconds: audio.durationSeconds, sampleRate: audio.sampleRate, channels: audio.channels });
  if (audio.error !== "not_audio") return audio;
  const pdf = sniffPdf(bytes, limits);
  if (pdf.ok) return found(pdf.code, { version: pdf.version, objects: pdf.objects, textOperators: pdf.textOperators });
  if (pdf.error !== "not_pdf") return pdf;
  const docx = sniffDocx(bytes, limits);
  if (docx.ok) return found(docx.code, { characters: docx.characters, parts: docx.parts });
  if (docx.error !== "not_docx" || ascii(bytes, 0, 4) === "PK\u0003\u0004") return docx; // a ZIP that is not Word is refused as such
  const text = sniffText(bytes);
  if (text.ok) return found(text.code, { characters: text.characters, lines: text.lines });
  // Bytes with no control characters are text in some other encoding: say so, rather than "unknown type".
  if (text.error === "not_utf8" && !CONTROL.test(latin1(bytes))) {
    return { ok: false, error: "not_utf8", message: `text, but ${text.message}: save it as UTF-8` };
  }
  const order = text.error === "binary" || text.error === "not_utf8" ? utf16Order(bytes) : undefined;
  if (order) return { ok: false, error: "not_utf8", message: `UTF-16 (${order}) text, not UTF-8: save it as UTF-8` };
  return text.error === "binary" || text.error === "not_utf8"
    ? { ok: false, error: "unknown_type", message: `not a supported file type: no known signature, and ${text.message}` }
    : text;
}
