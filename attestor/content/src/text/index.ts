/**
 * The words of a text file: UTF-8 as is (strict), the text a PDF shows (pdf.js), a DOCX's main part. The
 * structure is vetted first (the sniffers' limits), so an extraction never reads past what they allow.
 */
import type { FileTypeName } from "@provena/common";
import { DEFAULT_DOCX_LIMITS, docxText } from "../sniff/docx.js";
import { DEFAULT_PDF_LIMITS, sniffPdf } from "../sniff/pdf.js";
import { pdfText } from "./pdf.js";

export type TextType = "txt" | "md" | "pdf" | "docx";

/** The text, or why there is none: `wrong_type` (not a text document at all), `corrupt` (unreadable). */
export type TextExtraction = { ok: true; text: string } | { ok: false; error: "wrong_type" | "corrupt"; message: string };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export const isTextType = (type: FileTypeName): type is TextType => type === "txt" || type === "md" || type === "pdf" || type === "docx";

/** The text of a text file, or the reason it has none. Never throws. */
export async function extractText(bytes: Uint8Array, type: TextType): Promise<TextExtraction> {
  if (type === "pdf") {
    // The sniffer vets the structure (no images, not encrypted, streams inflate) before any text is read.
    const sniff = sniffPdf(bytes, DEFAULT_PDF_LIMITS);
    // A PDF with images is not a text document: the wrong type for a text Datanet.
    if (!sniff.ok)
      return {
        ok: false,
        error: sniff.error === "not_pdf" || sniff.error === "has_images" ? "wrong_type" : "corrupt",
        message: sniff.message,
      };
    const read = await pdfText(bytes);
    return read.ok ? { ok: true, text: read.text } : { ok: false, error: "corrupt", message: read.message };
  }
  if (type === "docx") {
    const text = docxText(bytes, DEFAULT_DOCX_LIMITS);
    if (typeof text !== "string") return { ok: false, error: text.error === "not_docx" ? "wrong_type" : "corrupt", message: text.message };
    return { ok: true, text };
  }
  try {
    return { ok: true, text: strictUtf8.decode(bytes) };
  } catch {
    return { ok: false, error: "corrupt", message: "the text is not valid UTF-8" };
  }
}

/** The words of a file of any text type (PDF and DOCX extracted), or undefined when it has none to read. */
export async function textOf(bytes: Uint8Array, type: FileTypeName): Promise<string | undefined> {
  if (!isTextType(type)) return undefined;
  const extracted = await extractText(bytes, type);
  return extracted.ok ? extracted.text : undefined;
}
