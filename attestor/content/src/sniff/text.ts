/**
 * Plain text and Markdown from content: strictly valid UTF-8 with no binary control characters.
 * Markdown is told from plain text by its syntax (headings, fences, links, lists, emphasis), not by
 * the file's name.
 */
import { fileTypeByName } from "@provena/common";
import { loadedTextFingerprinter } from "../fingerprint/wasmFingerprint.js";

export type TextSniff =
  | { ok: true; type: "txt" | "md"; code: number; characters: number; lines: number }
  | { ok: false; error: "empty" | "not_utf8" | "binary"; message: string };

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
/** Bytes known to be ASCII as a string: one copy, no validation (Node's TextDecoder for latin1 is ten times slower). */
const asciiString = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");

/** A C0 control other than tab, line feed, form feed and carriage return, or DEL. */
const BINARY_CHARACTER = /[\x00-\x08\x0b\x0e-\x1f\x7f]/;

/** The characters (code points) in `text` before `end`: its UTF-16 units less the second half of each pair. */
function codePoints(text: string, end: number): number {
  let pairs = 0;
  const high = /[\ud800-\udbff]/g;
  for (let match = high.exec(text); match && match.index < end - 1; match = high.exec(text)) pairs++;
  return end - pairs;
}

/** Whether `text[at]` ends a line as a regular expression's `$` (multiline) reads it. */
const isLineEnd = (text: string, at: number) => {
  const c = text.charCodeAt(at);
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
};

/**
 * A setext heading: a line that starts with a non-space character, underlined by a line of only `=` or
 * only `-` (trailing blanks allowed), with LF or CRLF line ends. Found from the underlines (a literal line
 * feed a regular expression scans for quickly), each checked against the line above it: one pass.
 */
function hasSetextHeading(text: string): boolean {
  const underline = /\n(?:=+|-+)[ \t]*(?=[\n\r\u2028\u2029]|$)/g;
  for (let match = underline.exec(text); match; match = underline.exec(text)) {
    let end = match.index;
    if (end > 0 && text.charCodeAt(end - 1) === 0x0d) end--;
    let start = end;
    while (start > 0 && !isLineEnd(text, start - 1)) start--;
    if (start < end && /\S/.test(text[start]!)) return true;
  }
  return false;
}

/** Markdown constructs, each with a substring it cannot do without (a cheap test that skips the pattern). */
const MARKDOWN: { needs: string[]; test: (text: string) => boolean }[] = [
  { needs: ["#"], test: (text) => /^#{1,6}[ \t]+\S/m.test(text) }, // ATX heading
  { needs: ["```", "~~~"], test: (text) => /^(```|~~~)/m.test(text) }, // fenced code
  { needs: ["]("], test: (text) => /\[[^\]\n]+\]\([^)\s]+\)/.test(text) }, // inline link or image
  { needs: ["- ", "* ", "+ ", "-\t", "*\t", "+\t"], test: (text) => /^[ \t]{0,3}[-*+][ \t]+\S[\s\S]*^[ \t]{0,3}[-*+][ \t]+\S/m.test(text) }, // a list of at least two items
  { needs: ["\n=", "\n-"], test: hasSetextHeading },
  { needs: [">"], test: (text) => /^>[ \t]?\S/m.test(text) }, // block quote
];

/** Whether `text` uses Markdown syntax: two different constructs, so prose with one stray "#" or "- " stays plain text. */
export function looksLikeMarkdown(text: string): boolean {
  let found = 0;
  for (const construct of MARKDOWN) {
    if (!construct.needs.some((part) => text.includes(part)) || !construct.test(text)) continue;
    if (++found === 2) return true;
  }
  return false;
}

/** The text type of `bytes`, or why they are not acceptable text. Never throws. */
export function sniffText(bytes: Uint8Array): TextSniff {
  if (bytes.length === 0) return { ok: false, error: "empty", message: "the file is empty" };
  // Plain ASCII text through and through (the common case, settled in SIMD where the module is loaded) is
  // valid UTF-8 with no control characters, one character per byte: only its text is left to read.
  if (loadedTextFingerprinter()?.asciiTextEnd(bytes) === bytes.length) return textType(asciiString(bytes), bytes.length);
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    return { ok: false, error: "not_utf8", message: `not valid UTF-8 (first invalid sequence near byte ${firstInvalidByte(bytes)})` };
  }
  // Valid UTF-8 from here, so a control character in the text is the same byte in the file; found by a
  // regular expression over the text (one native scan), not a loop over the bytes.
  const binary = BINARY_CHARACTER.exec(text);
  if (binary) {
    const code = text.charCodeAt(binary.index);
    return {
      ok: false,
      error: "binary",
      message: `control character U+${code.toString(16).padStart(4, "0").toUpperCase()} at character ${codePoints(text, binary.index)}: binary content, not text`,
    };
  }
  return textType(text, codePoints(text, text.length));
}

function textType(text: string, characters: number): TextSniff {
  const type = looksLikeMarkdown(text) ? "md" : "txt";
  return { ok: true, type, code: fileTypeByName(type).code, characters, lines: lineCount(text) };
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
