/**
 * Ingested documentation sites on disk: one folder per named source under DOCS_SOURCES_DIR, with
 * `source.json` (where it came from, when, and each page's path, URL, title and SHA-256) and one Markdown
 * file per page. `source.json` is written last, by rename, so a reader sees the old set or the new, never half.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { firstParagraph, type Page } from "./pages.js";

export type StoredPage = { path: string; url: string; title: string; sha256: string; file: string };
export type SourceRecord = { name: string; url: string; ingestedAt: string; pages: StoredPage[] };
export type Source = { name: string; url: string; pages: Page[] };

/** A source's name: what `?sources=` and the page slugs use. */
export const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

const recordPath = (dir: string, name: string) => join(dir, name, "source.json");

export function readRecord(dir: string, name: string): SourceRecord | undefined {
  const path = recordPath(dir, name);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8")) as SourceRecord;
}

export function readSources(dir: string): Source[] {
  if (!existsSync(dir)) return [];
  const sources: Source[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!SOURCE_NAME.test(name)) continue;
    const record = readRecord(dir, name);
    if (!record) continue;
    sources.push({
      name,
      url: record.url,
      pages: record.pages.map((stored) => {
        const markdown = readFileSync(join(dir, name, stored.file), "utf8");
        return {
          slug: `sources/${name}/${stored.path}`,
          title: stored.title,
          summary: firstParagraph(markdown).slice(0, 200),
          markdown,
          source: name,
          group: "Optional",
          url: stored.url,
        };
      }),
    });
  }
  return sources;
}

/** Changes whenever an ingestion finishes (the records' names and modification times). */
export function sourcesStamp(dir: string): string {
  if (!existsSync(dir)) return "";
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const path = recordPath(dir, name);
      return existsSync(path) ? `${name}:${statSync(path).mtimeMs}` : "";
    })
    .join(",");
}

/** Writes a page's Markdown (only when it changed) and returns its file name. */
export function writePage(dir: string, name: string, file: string, markdown: string): void {
  mkdirSync(join(dir, name, "pages"), { recursive: true });
  writeFileSync(join(dir, name, file), markdown);
}

/** The new record, atomically; page files no page names any more are removed after it. */
export function commitRecord(dir: string, record: SourceRecord, previous: SourceRecord | undefined): void {
  const path = recordPath(dir, record.name);
  writeFileSync(`${path}.tmp`, JSON.stringify(record, null, 1));
  renameSync(`${path}.tmp`, path);
  const kept = new Set(record.pages.map((page) => page.file));
  for (const page of previous?.pages ?? []) if (!kept.has(page.file)) rmSync(join(dir, record.name, page.file), { force: true });
}
