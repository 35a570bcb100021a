/**
 * Ingestion of an external documentation site in GitBook's shape into a named knowledge source: its
 * `llms.txt` and each page it links as Markdown (`<page>.md`), or, where there is no `llms.txt`, its
 * `llms-full.txt` cut at each page's title. Re-ingesting compares each page's SHA-256 with what is stored
 * and writes only the pages that changed; a page the site no longer has (404, 410) is dropped, one that
 * fails otherwise keeps its stored copy. Every fetch is bounded in bytes and time, the page count too.
 */
import { createHash } from "node:crypto";
import { mapLimit } from "@provena/common";
import { readBounded } from "./bounded.js";
import { DocsError } from "./errors.js";
import { headings, titleOf } from "./pages.js";
import { commitRecord, readRecord, SOURCE_NAME, type SourceRecord, type StoredPage, writePage } from "./sources.js";

export type IngestParameters = {
  url: string;
  /** Default: from the site's host name. */
  name?: string | undefined;
  sourcesDir: string;
  /** Pages at most (default 2,000). */
  maxPages?: number;
  /** Bytes per page, and for llms-full.txt as a whole times 16 (default 1 MiB). */
  maxPageBytes?: number;
  /** Pages fetched at once (default 4). */
  concurrency?: number;
  /** Per request (default 15 s). */
  timeoutMs?: number;
};

export type IngestReport = {
  name: string;
  url: string;
  from: "llms.txt" | "llms-full.txt";
  pages: number;
  added: string[];
  updated: string[];
  unchanged: number;
  removed: string[];
  missing: { url: string; error: string }[];
  seconds: number;
};

type Fetched = { path: string; url: string; title: string; markdown: string };

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The site's root and, when the URL names one, the index file to read. */
function siteOf(raw: string): { base: URL; file?: "llms.txt" | "llms-full.txt" } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DocsError("invalid", "bad_url", `not a URL: "${raw}" (give the site's address, e.g. https://docs.example.com)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new DocsError("invalid", "bad_url", `only http and https sites can be ingested, not ${url.protocol}`);
  const file = /\/(llms(?:-full)?\.txt)$/.exec(url.pathname)?.[1] as "llms.txt" | "llms-full.txt" | undefined;
  const base = new URL(file ? url.pathname.slice(0, -file.length) : url.pathname.replace(/\/?$/, "/"), url);
  return file ? { base, file } : { base };
}

export const defaultSourceName = (url: string) =>
  new URL(url).hostname
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40) || "site";

/** A page's path in the source: its URL's path under the site's root, without `.md`. */
function pathOf(url: URL, base: URL): string {
  const path = url.pathname.startsWith(base.pathname) ? url.pathname.slice(base.pathname.length) : url.pathname.slice(1);
  const clean = path
    .replace(/\.md$/, "")
    .replace(/\/$/, "")
    .replace(/[^A-Za-z0-9/_.-]+/g, "-")
    .replace(/\.\.+/g, ".")
    .toLowerCase();
  return clean || "index";
}

class FetchFailed extends Error {
  constructor(
    message: string,
    readonly gone: boolean,
  ) {
    super(message);
  }
}

async function fetchText(url: URL, limits: { bytes: number; timeoutMs: number }): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutMs), headers: { accept: "text/markdown, text/plain;q=0.9" } });
  } catch (error) {
    throw new FetchFailed(`${url} could not be fetched: ${(error as Error).message}`, false);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new FetchFailed(`${url} answered ${response.status}`, response.status === 404 || response.status === 410);
  }
  const bytes = await readBounded(response, limits.bytes, (declared) =>
    declared === undefined
      ? new FetchFailed(`${url} is over the ${limits.bytes}-byte limit per page`, false)
      : new FetchFailed(`${url} is ${declared} bytes, over the ${limits.bytes}-byte limit per page`, false),
  );
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (text.includes("\u0000")) throw new FetchFailed(`${url} is not text`, false);
  return text;
}

/** The links of an llms.txt (llmstxt.org: `- [Title](url): note` in its sections), in order, once each. */
export function linksOf(llmsTxt: string, base: URL): { title: string; url: URL }[] {
  const seen = new Set<string>();
  const links: { title: string; url: URL }[] = [];
  for (const match of llmsTxt.matchAll(/^\s*[-*]\s*\[([^\]]+)\]\(([^)\s]+)\)/gm)) {
    let url: URL;
    try {
      url = new URL(match[2]!, base);
    } catch {
      continue;
    }
    if (url.origin !== base.origin) continue; // another site's page is not this source's
    url.hash = "";
    if (!url.pathname.endsWith(".md")) url.pathname = `${url.pathname.replace(/\/$/, "") || "/index"}.md`;
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    links.push({ title: match[1]!.trim(), url });
  }
  return links;
}

/** An llms-full.txt cut into pages at its H1 titles (outside code); a `Source: <url>` line under a title names its page. */
export function pagesOfFull(text: string, base: URL): Fetched[] {
  const lines = text.split("\n");
  const titles = headings(lines).filter((h) => h.level === 1);
  return titles.map((title, i) => {
    const body = lines
      .slice(title.line, titles[i + 1]?.line ?? lines.length)
      .join("\n")
      .trim();
    const named = /^(?:Source|URL):\s*(\S+)\s*$/m.exec(body.split("\n").slice(1, 5).join("\n"))?.[1];
    let url: URL;
    try {
      url = named ? new URL(named, base) : new URL(`#${i}`, base);
    } catch {
      url = new URL(`#${i}`, base);
    }
    const path = named ? pathOf(url, base) : `page-${i + 1}`;
    return { path, url: url.href, title: title.text, markdown: `${body}\n` };
  });
}

export async function ingestSite(parameters: IngestParameters): Promise<IngestReport> {
  const started = performance.now();
  const { base, file } = siteOf(parameters.url);
  const name = parameters.name ?? defaultSourceName(base.href);
  if (!SOURCE_NAME.test(name))
    throw new DocsError("invalid", "bad_source_name", `a source's name is 1–40 lower-case letters, digits and hyphens, not "${name}"`);
  const limits = { bytes: parameters.maxPageBytes ?? 1_048_576, timeoutMs: parameters.timeoutMs ?? 15_000 };
  const maxPages = parameters.maxPages ?? 2_000;
  const missing: IngestReport["missing"] = [];
  const gone = new Set<string>();
  let fetched: Fetched[];
  let from: IngestReport["from"];

  const index = file === "llms-full.txt" ? undefined : await fetchText(new URL("llms.txt", base), limits).catch((error: Error) => error);
  if (typeof index === "string") {
    from = "llms.txt";
    const links = linksOf(index, base);
    if (links.length > maxPages)
      throw new DocsError("too_large", "too_many_pages", `${base}llms.txt links ${links.length} pages; at most ${maxPages}`);
    const pages = await mapLimit(links, parameters.concurrency ?? 4, async (link) => {
      const path = pathOf(link.url, base);
      try {
        const markdown = await fetchText(link.url, limits);
        return { path, url: link.url.href, title: titleOf(markdown) ?? link.title, markdown };
      } catch (error) {
        missing.push({ url: link.url.href, error: (error as Error).message });
        if (error instanceof FetchFailed && error.gone) gone.add(path);
        return undefined;
      }
    });
    fetched = pages.filter((page): page is Fetched => page !== undefined);
  } else {
    from = "llms-full.txt";
    let full: string;
    try {
      full = await fetchText(new URL("llms-full.txt", base), { ...limits, bytes: limits.bytes * 16 });
    } catch (error) {
      const why = index instanceof Error ? `${index.message}; ` : "";
      throw new DocsError(
        "upstream",
        "not_a_docs_site",
        `${base} serves neither llms.txt nor llms-full.txt: ${why}${(error as Error).message}`,
        undefined,
        {
          cause: error,
        },
      );
    }
    fetched = pagesOfFull(full, base);
    if (fetched.length > maxPages)
      throw new DocsError("too_large", "too_many_pages", `${base}llms-full.txt holds ${fetched.length} pages; at most ${maxPages}`);
  }
  if (fetched.length === 0)
    throw new DocsError(
      "upstream",
      "nothing_ingested",
      `no page of ${base} could be read${missing.length ? `: ${missing[0]!.error}` : ""}`,
      { missing },
    );

  const previous = readRecord(parameters.sourcesDir, name);
  const before = new Map((previous?.pages ?? []).map((page) => [page.path, page]));
  const added: string[] = [];
  const updated: string[] = [];
  let unchanged = 0;
  const pages: StoredPage[] = [];
  const seen = new Set<string>();
  for (const page of fetched) {
    if (seen.has(page.path)) continue; // two links to one page
    seen.add(page.path);
    const digest = sha256(page.markdown);
    // Named by path and content: a changed page is a new file, so the stored record stays whole until replaced.
    const file = `pages/${sha256(page.path).slice(0, 12)}-${digest.slice(0, 12)}.md`;
    const old = before.get(page.path);
    if (old?.sha256 === digest) unchanged++;
    else {
      writePage(parameters.sourcesDir, name, file, page.markdown);
      (old ? updated : added).push(page.path);
    }
    pages.push({ path: page.path, url: page.url, title: page.title, sha256: digest, file });
  }
  // A page that failed for another reason than being gone keeps its stored copy.
  for (const [path, old] of before)
    if (!seen.has(path) && !gone.has(path) && from === "llms.txt" && missing.some((m) => m.url === old.url)) pages.push(old);
  const kept = new Set(pages.map((page) => page.path));
  const removed = [...before.keys()].filter((path) => !kept.has(path));
  const record: SourceRecord = { name, url: base.href, ingestedAt: new Date().toISOString(), pages };
  commitRecord(parameters.sourcesDir, record, previous);
  return {
    name,
    url: base.href,
    from,
    pages: pages.length,
    added,
    updated,
    unchanged,
    removed,
    missing,
    seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
  };
}
