/**
 * The text a PDF shows, read by Mozilla's pdf.js (`pdfjs-dist`), which decodes every filter chain, font
 * encoding, ToUnicode CMap and predefined CJK CMap the way viewers do. The sniffer vets the structure first
 * (no images, not encrypted, every stream decodes within the inflation budget), so pdf.js only reads what
 * that bounded; here the pages read are bounded too. No scripts or forms run, no fonts are loaded into
 * anything, nothing is read but pdf.js's own CMap and standard-font files from its package.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type PdfTextLimits = { maxPages: number };

export const DEFAULT_PDF_TEXT_LIMITS: PdfTextLimits = { maxPages: 2_000 };

export type PdfText =
  | { ok: true; text: string; pages: number }
  | { ok: false; error: "corrupt" | "encrypted" | "too_large"; message: string };

type PdfJs = typeof import("pdfjs-dist/legacy/build/pdf.mjs");
let loading: Promise<PdfJs> | undefined;
/** pdf.js, loaded on the first PDF (a few MB of code that most processes never need). */
const pdfjs = (): Promise<PdfJs> => (loading ??= import("pdfjs-dist/legacy/build/pdf.mjs"));

const packageDir = dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));
const CMAPS = `${join(packageDir, "cmaps")}/`;
const STANDARD_FONTS = `${join(packageDir, "standard_fonts")}/`;

/** The text of every page (lines as pdf.js reads them, pages apart by a blank line), or why there is none. Never throws. */
export async function pdfText(bytes: Uint8Array, limits: PdfTextLimits = DEFAULT_PDF_TEXT_LIMITS): Promise<PdfText> {
  const { getDocument } = await pdfjs();
  // pdf.js takes the buffer over (detaches it): give it a copy, never the caller's bytes.
  const task = getDocument({
    data: new Uint8Array(bytes),
    enableXfa: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: true,
    verbosity: 0,
    cMapUrl: CMAPS,
    cMapPacked: true,
    standardFontDataUrl: STANDARD_FONTS,
  });
  try {
    const document = await task.promise;
    if (document.numPages > limits.maxPages)
      return { ok: false, error: "too_large", message: `${document.numPages} pages, more than the ${limits.maxPages} read here` };
    const pages: string[] = [];
    for (let number = 1; number <= document.numPages; number++) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      pages.push(
        content.items
          .map((item) => ("str" in item ? item.str + (item.hasEOL ? "\n" : "") : ""))
          .join("")
          .trim(),
      );
      page.cleanup();
    }
    return { ok: true, text: pages.join("\n\n").trim(), pages: document.numPages };
  } catch (error) {
    const { name, message } = error as Error;
    if (name === "PasswordException") return { ok: false, error: "encrypted", message: "encrypted PDF: its text cannot be read" };
    return { ok: false, error: "corrupt", message: `corrupt PDF: ${message || name}` };
  } finally {
    await task.destroy();
  }
}
