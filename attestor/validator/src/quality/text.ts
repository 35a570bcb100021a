/**
 * Text quality figures: length, control characters, compression (gibberish and repetition),
 * duplicate lines and lorem ipsum. Measurement only; score.ts judges the figures.
 */
import { constants, deflateRawSync } from "node:zlib";
import type { TextChecks } from "./score.js";
import { seededRandom } from "@provena/common";

/** C0 controls other than tab, line feed, form feed and carriage return; DEL; and U+FFFD from a bad decode. */
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\ufffd]/g;

/**
 * Words of the lorem ipsum placeholder that are rare in real Latin or English (not "et", "in", "non"):
 * with "lorem ipsum" itself present, a text made up of many of them is a placeholder.
 */
const LOREM_WORDS = new Set(
  "lorem ipsum dolor amet consectetur adipiscing elit eiusmod tempor incididunt labore dolore magna aliqua veniam nostrud exercitation ullamco laboris aliquip commodo consequat duis aute irure reprehenderit voluptate velit cillum fugiat nulla pariatur excepteur occaecat cupidatat proident officia deserunt mollit anim laborum".split(
    " ",
  ),
);

/** Lines shorter than this (braces, rules, bullets) are not counted as duplicates: repeating them is normal. */
const MIN_LINE_FOR_DUPLICATES = 8;

const deflatedSize = (text: string, strategy: number = constants.Z_DEFAULT_STRATEGY) =>
  deflateRawSync(Buffer.from(text, "utf8"), { level: 9, strategy }).length;

/** The characters (code points) of `text` in a fixed pseudo-random order. */
export function shuffled(text: string): string {
  const characters = [...text];
  const random = seededRandom(0x51f15eed);
  for (let i = characters.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [characters[i], characters[j]] = [characters[j]!, characters[i]!];
  }
  return characters.join("");
}

/** deflate size ÷ UTF-8 size: ~0.35–0.6 for language, ~0.6 for random letters, ~0.8+ for random symbols, <0.1 for repetition. */
export function compressionRatio(text: string): number {
  const size = Buffer.byteLength(text, "utf8");
  return size === 0 ? 0 : deflatedSize(text) / size;
}

/**
 * deflate(text) ÷ deflate(the same characters shuffled), both with deflate's fixed Huffman codes.
 * Shuffling keeps the alphabet and letter frequencies, so the ratio measures only what order adds:
 * repeated words and syllables. Fixed codes leave out the code tables, whose cost (the same for both)
 * would otherwise pull short texts towards 1. Random text of any alphabet scores ~1.0; language
 * 0.75–0.90 at 300 characters, 0.66–0.81 at 1,000, lower as it grows.
 */
export function structureRatio(text: string): number {
  if (text.length === 0) return 1;
  return deflatedSize(text, constants.Z_FIXED) / deflatedSize(shuffled(text), constants.Z_FIXED);
}

/** Share of the (long enough) lines that repeat an earlier line, compared trimmed, case- and space-folded. */
export function duplicateLineShare(text: string): number {
  const seen = new Set<string>();
  let counted = 0;
  let repeats = 0;
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.trim().replace(/\s+/g, " ").toLowerCase();
    if (line.length < MIN_LINE_FOR_DUPLICATES) continue;
    counted++;
    if (seen.has(line)) repeats++;
    else seen.add(line);
  }
  return counted === 0 ? 0 : repeats / counted;
}

/** "lorem ipsum" present and at least a tenth of the words from its vocabulary. */
export function isLoremIpsum(text: string, words: readonly string[]): boolean {
  if (!/\blorem\s+ipsum\b/i.test(text) || words.length === 0) return false;
  const lorem = words.filter((word) => LOREM_WORDS.has(word.toLowerCase())).length;
  return lorem / words.length >= 0.1;
}

/** Every figure score.ts judges text by. Compression figures are taken on the first `sampleCharacters`. */
export function measureText(text: string, sampleCharacters: number): TextChecks {
  const characters = [...text];
  const sample = characters.length > sampleCharacters ? characters.slice(0, sampleCharacters).join("") : text;
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  const cjk = text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0;
  return {
    characters: characters.length,
    bytes: Buffer.byteLength(text, "utf8"),
    cjkShare: letters === 0 ? 0 : cjk / letters,
    lines: text.length === 0 ? 0 : text.split(/\r?\n|\r/).length,
    words: words.length,
    controlShare: characters.length === 0 ? 0 : (text.match(CONTROL)?.length ?? 0) / characters.length,
    compressionRatio: compressionRatio(sample),
    structureRatio: structureRatio(sample),
    duplicateLineShare: duplicateLineShare(text),
    loremIpsum: isLoremIpsum(text, words),
  };
}
