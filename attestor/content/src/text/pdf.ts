/**
 * The text a PDF shows, for judging its quality (the sniffer only checks that text operators exist).
 * Objects are indexed (object streams included), each page's content is tokenised, and the strings
 * its Tj, TJ, ' and " operators show are decoded through the current font: its ToUnicode CMap when it
 * has one, else byte for byte (WinAnsi and standard encodings are Latin-1 for letters). A Type0 font
 * without a CMap shows glyph numbers nobody can read: those come out as U+FFFD, which the control
 * character rule then counts as unreadable. Flate streams inflate under a total budget.
 */
import { inflateSync } from "node:zlib";
import { latin1 } from "../sniff/bytes.js";

type PdfObject = { body: string; stream?: Uint8Array };
type Font = { cmap?: Map<number, string>; codeBytes: number };

const OBJECT = /(\d+)\s+\d+\s+obj\b/g;
const REFERENCE = /^\s*(\d+)\s+\d+\s+R/;

/** Every object's dictionary text and (inflated) stream, by number. Later definitions win (incremental updates). */
function indexObjects(bytes: Uint8Array, budget: { left: number }): Map<number, PdfObject> {
  const text = latin1(bytes);
  const objects = new Map<number, PdfObject>();
  let match: RegExpExecArray | null;
  OBJECT.lastIndex = 0;
  for (match = OBJECT.exec(text); match; match = OBJECT.exec(text)) {
    const start = match.index + match[0].length;
    const end = text.indexOf("endobj", start);
    if (end < 0) break;
    const whole = text.slice(start, end);
    const streamAt = /stream\r?\n/.exec(whole);
    if (!streamAt) objects.set(Number(match[1]), { body: whole });
    else {
      const body = whole.slice(0, streamAt.index);
      const dataStart = start + streamAt.index + streamAt[0].length;
      const dataEnd = text.lastIndexOf("endstream", end);
      objects.set(Number(match[1]), { body, stream: inflate(body, bytes.subarray(dataStart, Math.max(dataStart, dataEnd)), budget) });
    }
    OBJECT.lastIndex = end;
  }
  for (const object of [...objects.values()])
    if (/\/Type\s*\/ObjStm\b/.test(object.body) && object.stream) unpackObjectStream(object, objects);
  return objects;
}

/** A stream's data, Flate-inflated when so filtered (within the budget); undefined for other filters. */
function inflate(dict: string, data: Uint8Array, budget: { left: number }): Uint8Array | undefined {
  const filter = /\/Filter\s*(\[[^\]]*\]|\/\w+)/.exec(dict)?.[1];
  if (!filter) return data;
  if (!/^\[?\s*\/(FlateDecode|Fl)\s*\]?$/.test(filter) || budget.left <= 0) return undefined;
  try {
    const inflated = inflateSync(data, { maxOutputLength: budget.left, finishFlush: 2 /* Z_SYNC_FLUSH: tolerate a missing end */ });
    budget.left -= inflated.length;
    return inflated;
  } catch {
    return undefined;
  }
}

/** The objects packed in an object stream: N pairs "number offset", then the objects from /First. */
function unpackObjectStream(container: PdfObject, objects: Map<number, PdfObject>): void {
  const content = latin1(container.stream!);
  const count = Number(/\/N\s+(\d+)/.exec(container.body)?.[1] ?? 0);
  const first = Number(/\/First\s+(\d+)/.exec(container.body)?.[1] ?? 0);
  const header = content.slice(0, first).trim().split(/\s+/).map(Number);
  for (let i = 0; i < count && 2 * i + 1 < header.length; i++) {
    const [number, offset] = [header[2 * i]!, header[2 * i + 1]!];
    const next = 2 * i + 3 < header.length ? header[2 * i + 3]! : content.length - first;
    if (!objects.has(number)) objects.set(number, { body: content.slice(first + offset, first + next) });
  }
}

// ------------------------------------------------------------------ fonts

const hexValue = (hex: string) => parseInt(hex, 16);

/** UTF-16BE hex to a string (surrogate pairs join up by themselves). */
const utf16 = (hex: string) => (hex.match(/.{1,4}/g) ?? []).map((unit) => String.fromCharCode(parseInt(unit.padEnd(4, "0"), 16))).join("");

/** WinAnsi (cp1252) punctuation in 0x80–0x9f, where Latin-1 has control codes: quotes, dashes, bullet, ellipsis. */
const WIN_ANSI: Record<number, string> = { 133: "…", 145: "‘", 146: "’", 147: "“", 148: "”", 149: "•", 150: "–", 151: "—" };

/** Bytes of a simple font's string to text, one character each. */
const singleBytes = (bytes: number[]) => bytes.map((byte) => WIN_ANSI[byte] ?? String.fromCharCode(byte)).join("");

/** A ToUnicode CMap's bfchar and bfrange entries, and whether its codes are two bytes wide. */
function parseCMap(cmap: string): Font {
  const map = new Map<number, string>();
  const codeBytes = /begincodespacerange\s*<([0-9a-fA-F]+)>/.exec(cmap)?.[1]?.length === 4 ? 2 : 1;
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, code, unicode] of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>/g)) map.set(hexValue(code!), utf16(unicode!));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, low, high, target] of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])/g)) {
      const [from, to] = [hexValue(low!), Math.min(hexValue(high!), hexValue(low!) + 0xffff)];
      const targets = target!.startsWith("[") ? [...target!.matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => utf16(m[1]!)) : undefined;
      const base = targets ? 0 : hexValue(target!.slice(1, -1) || "0");
      for (let code = from; code <= to; code++)
        map.set(code, targets ? (targets[code - from] ?? "") : String.fromCodePoint(Math.min(base + code - from, 0x10ffff)));
    }
  }
  return { cmap: map, codeBytes };
}

/** A font object's decoding: its CMap if it has one; a Type0 font's codes are two bytes. */
function fontOf(number: number, objects: Map<number, PdfObject>): Font {
  const body = objects.get(number)?.body ?? "";
  const type0 = /\/Subtype\s*\/Type0\b/.test(body);
  const cmapRef = /\/ToUnicode\s+(\d+)\s+\d+\s+R/.exec(body)?.[1];
  const cmapStream = cmapRef ? objects.get(Number(cmapRef))?.stream : undefined;
  if (cmapStream) return parseCMap(latin1(cmapStream));
  return { codeBytes: type0 ? 2 : 1 };
}

/** The dictionary text of `value`, following one indirect reference. */
const resolve = (value: string, objects: Map<number, PdfObject>): string => {
  const ref = REFERENCE.exec(value)?.[1];
  return ref ? (objects.get(Number(ref))?.body ?? "") : value;
};

/** The inner text of the `<< … >>` that starts at or after `at`, nesting counted. */
function dictionaryAt(text: string, at: number): string {
  const start = text.indexOf("<<", at);
  if (start < 0) return "";
  let depth = 0;
  for (let i = start; i < text.length - 1; i++) {
    if (text[i] === "<" && text[i + 1] === "<") {
      depth++;
      i++;
    } else if (text[i] === ">" && text[i + 1] === ">") {
      depth--;
      i++;
      if (depth === 0) return text.slice(start + 2, i - 1);
    }
  }
  return "";
}

/** Font resource names to fonts for a page (its /Resources, or its parents' when inherited). */
function pageFonts(page: string, objects: Map<number, PdfObject>, cache: Map<number, Font>): Map<string, Font> {
  let node = page;
  let resources = "";
  for (let depth = 0; depth < 32 && !resources; depth++) {
    const at = /\/Resources\s*/.exec(node);
    if (at)
      resources = REFERENCE.test(node.slice(at.index + at[0].length))
        ? resolve(node.slice(at.index + at[0].length), objects)
        : dictionaryAt(node, at.index);
    const parent = /\/Parent\s+(\d+)\s+\d+\s+R/.exec(node)?.[1];
    if (!parent) break;
    node = objects.get(Number(parent))?.body ?? "";
  }
  const fontAt = /\/Font\s*/.exec(resources);
  const fontDict = !fontAt
    ? ""
    : REFERENCE.test(resources.slice(fontAt.index + fontAt[0].length))
      ? resolve(resources.slice(fontAt.index + fontAt[0].length), objects)
      : dictionaryAt(resources, fontAt.index);
  const fonts = new Map<string, Font>();
  for (const [, name, ref] of fontDict.matchAll(/\/([^\s/<>[\]()]+)\s+(\d+)\s+\d+\s+R/g)) {
    const number = Number(ref);
    if (!cache.has(number)) cache.set(number, fontOf(number, objects));
    fonts.set(name!, cache.get(number)!);
  }
  return fonts;
}

// ------------------------------------------------------------------ content

type Token =
  | { kind: "string"; bytes: number[] }
  | { kind: "number"; value: number }
  | { kind: "name" | "operator" | "open" | "close"; value: string };

const ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12 };

/** A literal string `( … )` from `at` (just past its "("): its bytes and where it ends. */
function literalString(content: string, at: number): [number[], number] {
  const bytes: number[] = [];
  let depth = 1;
  let i = at;
  for (; i < content.length; i++) {
    const c = content[i]!;
    if (c === "\\") {
      const next = content[++i] ?? "";
      if (/[0-7]/.test(next)) {
        const octal = /^[0-7]{1,3}/.exec(content.slice(i, i + 3))![0];
        bytes.push(parseInt(octal, 8) & 0xff);
        i += octal.length - 1;
      } else if (next === "\r" || next === "\n") {
        if (next === "\r" && content[i + 1] === "\n") i++; // a line continuation
      } else bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      continue;
    }
    if (c === "(") depth++;
    else if (c === ")" && --depth === 0) break;
    bytes.push(c.charCodeAt(0));
  }
  return [bytes, i + 1];
}

/** The tokens of a content stream (enough of PDF syntax for text: strings, numbers, names, arrays, operators). */
function* tokens(content: string): Generator<Token> {
  let i = 0;
  while (i < content.length) {
    const c = content[i]!;
    if (/\s/.test(c)) i++;
    else if (c === "%") i = content.indexOf("\n", i) < 0 ? content.length : content.indexOf("\n", i);
    else if (c === "(") {
      const [bytes, end] = literalString(content, i + 1);
      yield { kind: "string", bytes };
      i = end;
    } else if (c === "<" && content[i + 1] !== "<") {
      const end = content.indexOf(">", i);
      const hex = content.slice(i + 1, end < 0 ? content.length : end).replace(/[^0-9a-fA-F]/g, "");
      yield { kind: "string", bytes: (hex.length % 2 ? `${hex}0` : hex).match(/../g)?.map(hexValue) ?? [] };
      i = end < 0 ? content.length : end + 1;
    } else if (c === "[" || c === "]") {
      yield { kind: c === "[" ? "open" : "close", value: c };
      i++;
    } else {
      const word = /^(\/[^\s/<>[\]()%{}]*|<<|>>|[^\s/<>[\]()%{}]+|.)/.exec(content.slice(i, i + 256))![0];
      i += word.length;
      if (word.startsWith("/")) yield { kind: "name", value: word.slice(1) };
      else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) yield { kind: "number", value: Number(word) };
      else yield { kind: "operator", value: word };
    }
  }
}

/** A shown string's bytes through the font: CMap codes of its width, else one byte a character. */
function decodeShown(bytes: number[], font: Font | undefined): string {
  if (!font?.cmap) return font?.codeBytes === 2 ? "\ufffd".repeat(bytes.length >> 1) : singleBytes(bytes);
  let out = "";
  for (let i = 0; i + font.codeBytes <= bytes.length; i += font.codeBytes) {
    const code = font.codeBytes === 2 ? (bytes[i]! << 8) | bytes[i + 1]! : bytes[i]!;
    out += font.cmap.get(code) ?? "\ufffd";
  }
  return out;
}

/** TJ kerning of more than this (thousandths of an em, negative moves right) is a word space. */
const WORD_GAP = 200;

/** The text one content stream shows, with line breaks where it moves to a new line. */
function showText(content: string, fonts: Map<string, Font>): string {
  let out = "";
  let font: Font | undefined;
  const operands: Token[] = [];
  let array: Token[] | undefined;
  for (const token of tokens(content)) {
    if (token.kind === "open") array = [];
    else if (token.kind === "close") {
      operands.push({ kind: "operator", value: "[]" });
      if (array)
        out += array
          .map((t) => (t.kind === "string" ? decodeShown(t.bytes, font) : t.kind === "number" && t.value < -WORD_GAP ? " " : ""))
          .join("");
      array = undefined;
    } else if (array) array.push(token);
    else if (token.kind !== "operator") operands.push(token);
    else {
      const op = token.value;
      const last = operands[operands.length - 1];
      if (op === "Tf") {
        const name = operands[operands.length - 2];
        font = name?.kind === "name" ? fonts.get(name.value) : undefined;
      } else if (op === "Tj" && last?.kind === "string") out += decodeShown(last.bytes, font);
      else if ((op === "'" || op === '"') && last?.kind === "string") out += `\n${decodeShown(last.bytes, font)}`;
      else if (op === "T*" || op === "Tm" || op === "ET") out += "\n";
      else if (op === "Td" || op === "TD") {
        const ty = operands[operands.length - 1];
        out += ty?.kind === "number" && ty.value !== 0 ? "\n" : " ";
      }
      operands.length = 0;
    }
  }
  return out;
}

/** The text of every page, in page-object order, or "" when none can be found. Never throws on bad input. */
export function pdfText(bytes: Uint8Array, maxInflatedBytes: number): string {
  const objects = indexObjects(bytes, { left: maxInflatedBytes });
  const cache = new Map<number, Font>();
  const pages: string[] = [];
  for (const object of objects.values()) {
    if (!/\/Type\s*\/Page\b(?!s)/.test(object.body)) continue;
    const fonts = pageFonts(object.body, objects, cache);
    const contents = /\/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)/.exec(object.body)?.[1] ?? "";
    const streams = [...contents.matchAll(/(\d+)\s+\d+\s+R/g)]
      .map((m) => objects.get(Number(m[1]))?.stream)
      .filter((s): s is Uint8Array => s !== undefined);
    // Content split over several streams is one sequence of operators.
    pages.push(showText(streams.map(latin1).join("\n"), fonts));
  }
  return pages
    .join("\n\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
