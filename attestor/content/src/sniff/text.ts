/**
 * Plain text and Markdown from content: strictly valid UTF-8 with no binary control characters.
 * Markdown is told from plain text by its syntax (headings, fences, links, lists, emphasis), not by
 * the file's name.
 */
import { fileTypeByName } from "@provena/common";

export type TextSniff =
  | { ok: true; type: "txt" | "md"; code: number; characters: number; lines: number }
  | { ok: false; error: "empty" | "not_utf8" | "binary"; message: string };

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** C0 controls other than tab, line feed, form feed and carriage return, and DEL. */
const BINARY = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;

const MARKDOWN = [
  /^#{1,6}[ \t]+\S/m, // ATX heading
  /^(```|~~~)/m, // fenced code
  /\[[^\]\n]+\]\([^)\s]+\)/, // inline link or image
  /^[ \t]{0,3}[-*+][ \t]+\S[\s\S]*^[ \t]{0,3}[-*+][ \t]+\S/m, // a list of at least two items
  /^\S.*\n(=+|-+)[ \t]*$/m, // setext heading
  /^>[ \t]?\S/m, // block quote
];

/** Whether `text` uses Markdown syntax: two different constructs, so prose with one stray "#" or "- " stays plain text. */
export const looksLikeMarkdown = (text: string) => MARKDOWN.filter((pattern) => pattern.test(text)).length >= 2;

/** The text type of `bytes`, or why they are not acceptable text. Never throws. */
export function sniffText(bytes: Uint8Array): TextSniff {
  if (bytes.length === 0) return { ok: false, error: "empty", message: "the file is empty" };
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    return { ok: false, error: "not_utf8", message: `not valid UTF-8 (first invalid sequence near byte ${firstInvalidByte(bytes)})` };
  }
  const binary = BINARY.exec(text);
  if (binary) {
    return {
      ok: false,
      error: "binary",
      message: `control character U+${binary[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()} at character ${binary.index}: binary content, not text`,
    };
  }
  const type = looksLikeMarkdown(text) ? "md" : "txt";
  return { ok: true, type, code: fileTypeByName(type).code, characters: codePoints(text), lines: lineCount(text) };
}

/** Characters (code points): UTF-16 units less the second half of each surrogate pair, without an array of them. */
function codePoints(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
      const before = text.charCodeAt(i - 1);
      if (before >= 0xd800 && before <= 0xdbff) pairs++;
    }
  }
  return text.length - pairs;
}

function lineCount(text: string): number {
  let lines = 1;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lines++;
  return lines;
}

/** Offset where the first invalid UTF-8 sequence starts (for the error message). */
function firstInvalidByte(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.length;
  // Binary search on the longest valid prefix: streaming decoding accepts a prefix that ends
  // mid-sequence, and every prefix of a valid prefix is valid.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  // `low` may end inside the sequence that turns out invalid: report where that sequence starts.
  let start = low;
  while (start > 0 && start > low - 4 && (bytes[start - 1]! & 0xc0) === 0x80) start--;
  return start > 0 && bytes[start - 1]! >= 0xc0 ? start - 1 : low;
}
