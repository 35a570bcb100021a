/**
 * Writes the sniffer corpus (`test/fixtures/corpus.ts`) to disk, so a person can try each file against
 * a running gateway with curl: `test/fixtures/corpus/<name>/<filename>` for every case, plus
 * `test/fixtures/corpus/manifest.json` (name, filename, size, sha256, expected sniff, note).
 * The folder is rebuilt from scratch on every run and is git-ignored.
 *
 *   node_modules/node/bin/node --import tsx scripts/make-fixtures.ts [out-dir]
 */
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { corpus, KNOWN_GAPS } from "../test/fixtures/corpus.js";

const root = fileURLToPath(new URL("..", import.meta.url));
export const CORPUS_DIR = join(root, "test/fixtures/corpus");

export function makeFixtures(out = CORPUS_DIR): { files: number; bytes: number; out: string } {
  rmSync(out, { recursive: true, force: true });
  const manifest = corpus().map(({ name, filename, bytes, expect, note }) => {
    mkdirSync(join(out, name), { recursive: true });
    writeFileSync(join(out, name, filename), bytes);
    const gap = KNOWN_GAPS[name];
    return {
      name,
      filename,
      path: `${name}/${filename}`,
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      expect,
      note,
      ...(gap ? { knownGap: gap } : {}),
    };
  });
  writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return { files: manifest.length, bytes: manifest.reduce((sum, m) => sum + m.size, 0), out };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, bytes, out } = makeFixtures(process.argv[2] ? resolve(process.argv[2]) : CORPUS_DIR);
  console.log(
    `${files} files (${bytes.toLocaleString("en-US")} bytes) and manifest.json written to ${relative(process.cwd(), out) || "."}`,
  );
}
