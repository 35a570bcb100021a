/**
 * DOCX from content: a ZIP whose central directory is read with every offset checked, that ends where
 * its end record (and comment) does, refused before inflating anything if it declares too much (entries,
 * total size, compression ratio), and whose main document part is inflated under its declared size,
 * checked against its CRC-32 (as every part read here is), and read for its text.
 */
import { crc32, inflateRawSync } from "node:zlib";
import { fileTypeByName } from "@provena/common";
import { latin1, view } from "./bytes.js";

export type DocxSniff =
  | { ok: true; type: "docx"; code: number; characters: number; parts: number }
  | { ok: false; error: "not_docx" | "corrupt" | "zip_bomb"; message: string };

export type DocxLimits = { maxEntries: number; maxUncompressedBytes: number; maxRatio: number };

/** A real Word document has tens of parts and compresses text ~10×; these leave room and stop bombs. */
export const DEFAULT_DOCX_LIMITS: DocxLimits = { maxEntries: 1_000, maxUncompressedBytes: 50_000_000, maxRatio: 200 };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
const WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";

type Entry = { name: string; method: number; flags: number; crc: number; compressed: number; uncompressed: number; localOffset: number };

/** The central directory's entries, or why it cannot be trusted. */
function centralDirectory(bytes: Uint8Array): Entry[] | string {
  const data = view(bytes);
  // The end record is in the last 22 + 65,535 (comment) bytes.
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (data.getUint32(at, true) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) return "no end of central directory record";
  const ends = end + 22 + data.getUint16(end + 20, true);
  if (ends !== bytes.length)
    return ends > bytes.length
      ? "its end record's comment runs past the end of the file"
      : `${bytes.length - ends} bytes of data after the end of the ZIP archive (something was appended to it)`;
  const count = data.getUint16(end + 10, true);
  const size = data.getUint32(end + 12, true);
  const offset = data.getUint32(end + 16, true);
  if (count === 0xffff || offset === 0xffffffff) return "ZIP64 archives are not accepted";
  if (offset + size > end) return "the central directory runs past its end record";
  const entries: Entry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || data.getUint32(at, true) !== CENTRAL) return `central directory entry ${i} is missing`;
    const nameLength = data.getUint16(at + 28, true);
    const next = at + 46 + nameLength + data.getUint16(at + 30, true) + data.getUint16(at + 32, true);
    if (next > end) return `central directory entry ${i} runs past the directory`;
    entries.push({
      name: latin1(bytes.subarray(at + 46, at + 46 + nameLength)),
      flags: data.getUint16(at + 8, true),
      method: data.getUint16(at + 10, true),
      crc: data.getUint32(at + 16, true),
      compressed: data.getUint32(at + 20, true),
      uncompressed: data.getUint32(at + 24, true),
      localOffset: data.getUint32(at + 42, true),
    });
    at = next;
  }
  return entries;
}

/** Checks the declared sizes against the limits, before any inflating. */
function bombCheck(entries: Entry[], limits: DocxLimits): string | undefined {
  if (entries.length > limits.maxEntries) return `${entries.length} entries, over the limit of ${limits.maxEntries}`;
  const total = entries.reduce((sum, e) => sum + e.uncompressed, 0);
  if (total > limits.maxUncompressedBytes)
    return `declares ${total.toLocaleString("en-US")} bytes uncompressed, over the limit of ${limits.maxUncompressedBytes.toLocaleString("en-US")}`;
  const dense = entries.find((e) => e.uncompressed > 1_000 && e.uncompressed > e.compressed * limits.maxRatio);
  if (dense)
    return `"${dense.name}" compresses ${Math.round(dense.uncompressed / Math.max(1, dense.compressed))}:1, over the limit of ${limits.maxRatio}:1`;
  return undefined;
}

/** An entry's bytes, inflated to at most its declared size and matching its CRC-32, or why not. */
function read(bytes: Uint8Array, entry: Entry): Uint8Array | string {
  const content = contentOf(bytes, entry);
  if (typeof content === "string") return content;
  const crc = crc32(content);
  return crc === entry.crc
    ? content
    : `"${entry.name}" fails its CRC-32 check (0x${crc.toString(16).padStart(8, "0")}, not the recorded 0x${entry.crc.toString(16).padStart(8, "0")}): its bytes were altered`;
}

function contentOf(bytes: Uint8Array, entry: Entry): Uint8Array | string {
  const data = view(bytes);
  const at = entry.localOffset;
  if (at + 30 > bytes.length || data.getUint32(at, true) !== LOCAL) return `no local header for "${entry.name}"`;
  if (entry.flags & 0x01) return `"${entry.name}" is encrypted`;
  const start = at + 30 + data.getUint16(at + 26, true) + data.getUint16(at + 28, true);
  if (start + entry.compressed > bytes.length) return `"${entry.name}" runs past the end of the file`;
  const body = bytes.subarray(start, start + entry.compressed);
  if (entry.method === STORED) return entry.compressed === entry.uncompressed ? body : `"${entry.name}" is stored with two different sizes`;
  if (entry.method !== DEFLATED) return `"${entry.name}" uses compression method ${entry.method}`;
  try {
    const inflated = inflateRawSync(body, { maxOutputLength: Math.max(1, entry.uncompressed) });
    return inflated.length === entry.uncompressed
      ? inflated
      : `"${entry.name}" inflates to ${inflated.length} bytes, not the declared ${entry.uncompressed}`;
  } catch (error) {
    return `"${entry.name}" does not inflate: ${(error as Error).message}`;
  }
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The document's text: the contents of its `w:t` runs. */
const documentText = (xml: string) =>
  [...xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)]
    .map((m) => m[1]!.replace(/&(\w+);/g, (all, name: string) => XML_ENTITIES[name] ?? all))
    .join("");

/** The Word main document part's XML and the archive's part count; or why the archive is not a readable DOCX. */
function mainDocument(bytes: Uint8Array, limits: DocxLimits): { xml: string; parts: number } | Extract<DocxSniff, { ok: false }> {
  if (bytes.length < 22 || view(bytes).getUint32(0, true) !== LOCAL)
    return { ok: false, error: "not_docx", message: "not a ZIP archive, so not a DOCX document" };
  const corrupt = (message: string) => ({ ok: false, error: "corrupt", message: `corrupt DOCX: ${message}` }) as const;
  const entries = centralDirectory(bytes);
  if (typeof entries === "string") return corrupt(entries);
  const bomb = bombCheck(entries, limits);
  if (bomb) return { ok: false, error: "zip_bomb", message: `refused before inflating: the archive ${bomb}` };
  const types = entries.find((e) => e.name === "[Content_Types].xml");
  if (!types) return { ok: false, error: "not_docx", message: "a ZIP archive without [Content_Types].xml: not an Office document" };
  const typesXml = read(bytes, types);
  if (typeof typesXml === "string") return corrupt(typesXml);
  const main = /PartName="\/([^"]+)"\s+ContentType="([^"]+)"/g;
  const mainPart = [...new TextDecoder().decode(typesXml).matchAll(main)].find((m) => m[2] === WORD_MAIN)?.[1];
  if (!mainPart) return { ok: false, error: "not_docx", message: "an Office archive without a Word main document part (not DOCX)" };
  const document = entries.find((e) => e.name === mainPart);
  if (!document) return corrupt(`its main part "${mainPart}" is missing`);
  const documentXml = read(bytes, document);
  if (typeof documentXml === "string") return corrupt(documentXml);
  const xml = new TextDecoder().decode(documentXml);
  if (!/<w:document[\s>]/.test(xml) || !/<\/w:document>\s*$/.test(xml)) return corrupt(`"${mainPart}" is not a complete w:document`);
  return { xml, parts: entries.length };
}

/** Whether `bytes` are a Word document, and its text length; or why not. Never throws. */
export function sniffDocx(bytes: Uint8Array, limits: DocxLimits = DEFAULT_DOCX_LIMITS): DocxSniff {
  const document = mainDocument(bytes, limits);
  if (!("xml" in document)) return document;
  return {
    ok: true,
    type: "docx",
    code: fileTypeByName("docx").code,
    characters: [...documentText(document.xml)].length,
    parts: document.parts,
  };
}

/** The document's text with a line per paragraph (for the quality checks); or why it cannot be read. Never throws. */
export function docxText(bytes: Uint8Array, limits: DocxLimits = DEFAULT_DOCX_LIMITS): string | Extract<DocxSniff, { ok: false }> {
  const document = mainDocument(bytes, limits);
  // Each paragraph ends with </w:p>; what follows the last one (section properties) has no text.
  return "xml" in document ? document.xml.split("</w:p>").slice(0, -1).map(documentText).join("\n") : document;
}
