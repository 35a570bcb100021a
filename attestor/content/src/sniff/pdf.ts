/**
 * PDF from content, text-only: every object and stream is read (Flate streams inflated under a total
 * budget, object streams included) to find images, whether image XObjects, inline images in content,
 * or streams in an image codec, and to find text-showing operators. A PDF with any image is refused;
 * so is one with no text, an encrypted one, or one whose streams cannot be read.
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
    let content: string;
    if (filters.length === 0) content = latin1(stream.data);
    else if (filters.length === 1 && (filters[0] === "FlateDecode" || filters[0] === "Fl")) {
      let inflated: Uint8Array;
      try {
        inflated = inflateSync(stream.data, { maxOutputLength: Math.max(1, budget) });
      } catch (error) {
        const message = (error as Error).message;
        if (/larger than|maxOutputLength|buffer/i.test(message)) {
          return {
            ok: false,
            error: "too_large",
            message: `its streams inflate to more than ${limits.maxInflatedBytes.toLocaleString("en-US")} bytes`,
          };
        }
        return corrupt(`a Flate stream does not inflate: ${message}`);
      }
      budget -= inflated.length;
      content = latin1(inflated);
    } else {
      return { ok: false, error: "unsupported", message: `a stream uses the filter chain ${filters.join(", ")}, which is not read here` };
    }
    if (IMAGE_XOBJECT.test(content))
      return { ok: false, error: "has_images", message: "contains an image XObject (in an object stream): only text PDFs are accepted" };
    if (INLINE_IMAGE.test(content))
      return { ok: false, error: "has_images", message: "contains an inline image: only text PDFs are accepted" };
    textOperators += content.match(TEXT_OPERATOR)?.length ?? 0;
  }
  if (textOperators === 0) return { ok: false, error: "no_text", message: "shows no text (no Tj/TJ operator in any content stream)" };
  return { ok: true, type: "pdf", code: fileTypeByName("pdf").code, version, objects, textOperators };
}
