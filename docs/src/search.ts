/**
 * Full-text search over the sections of every page (MiniSearch: BM25+ ranking, prefix and fuzzy matching),
 * with one tokenizer for the index, the queries and the answer's sentence scoring: lower case, stop words
 * dropped, Porter's stemmer so that "contributes", "contributing" and "contribution" meet. Long sections
 * (a reference's tables) are indexed in chunks of a few paragraphs or rows, so that their length does not
 * let them match every question.
 */
import MiniSearch, { type SearchResult } from "minisearch";
import { stemmer } from "stemmer";
import { OWN_SOURCE, type Page, type Section, sectionsOf } from "./pages.js";

const STOP_WORDS = new Set(
  (
    "a an and are as at be been by can could do does did for from has have how i if in into is it its me my no not of on or " +
    "our shall should so than that the their them then there these they this those to too was we were what when where which " +
    "who whom why will with would you your about also any each may must one only other some such very just out up many much"
  ).split(" "),
);

/** The terms of a text as the index holds them. */
export function terms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}_]+(?:[.-][\p{L}\p{N}_]+)*/gu) ?? [])
    .filter((word) => word.length > 1 && !STOP_WORDS.has(word))
    .map((word) => stemmer(word));
}

type Entry = Section & { id: string; title: string; weight: number; defined: string };

/** The phrases a text defines: what it sets in bold (a glossary's terms, a list's labels). */
const definedIn = (text: string) => [...text.matchAll(/\*\*([^*]{1,80})\*\*/g)].map((m) => m[1]).join(" ");

/**
 * How much a page's sections count in the ranking: the guides first, the references (long, and naming
 * every term once) a little less, the README and the benchmarks (which repeat the rest at length) least;
 * an ingested site's pages as the guides.
 */
const weightOf = (page: Page) => (page.source !== OWN_SOURCE ? 1 : page.group === "Guides" ? 1 : page.group === "Reference" ? 0.8 : 0.4);

export type Hit = { section: Section; title: string; score: number; matched: string[] };

/** A hit as /docs/search and the MCP search_docs tool answer it: where it is, and the start of its text. */
export const hitView = (hit: Hit, docsUrl: string) => ({
  page: hit.section.page,
  anchor: hit.section.anchor,
  heading: hit.section.heading,
  title: hit.title,
  url: `${docsUrl}/docs/${hit.section.page}${hit.section.anchor ? `#${hit.section.anchor}` : ""}`,
  snippet: hit.section.text.slice(0, 300),
  score: Number(hit.score.toFixed(3)),
});

export type SearchIndex = {
  search(query: string, options?: { limit?: number; boostPage?: string; sources?: string[] }): Hit[];
  /** How many sections hold the term (for weighting a question's terms). */
  documentFrequency(term: string): number;
  sections: number;
};

const CHUNK_CHARS = 900;

/** A section's text in chunks of whole paragraphs, list items or table rows, each at most about CHUNK_CHARS. */
function chunks(text: string): string[] {
  if (text.length <= CHUNK_CHARS) return [text];
  const blocks = text
    .split(/\n\s*\n/)
    .flatMap((block) => (block.length > CHUNK_CHARS && /^\s*[|*-]/.test(block) ? block.split("\n") : [block]));
  const out: string[] = [];
  let current = "";
  // Lengths without the padding a formatter aligns table columns with.
  const size = (text: string) => text.replace(/\s+/g, " ").length;
  for (const block of blocks) {
    if (current && size(current) + size(block) > CHUNK_CHARS) {
      out.push(current);
      current = "";
    }
    current = current ? `${current}\n\n${block}` : block;
  }
  if (current) out.push(current);
  return out;
}

export function buildIndex(pages: Page[]): SearchIndex {
  const titles = new Map(pages.map((page) => [page.slug, page.title]));
  const entries: Entry[] = pages.flatMap((page) =>
    sectionsOf(page).flatMap((section, i) =>
      chunks(section.text).map((text, k) => ({
        ...section,
        text,
        id: `${page.slug}#${section.anchor}#${i}.${k}`,
        title: page.title,
        weight: weightOf(page),
        defined: definedIn(text),
      })),
    ),
  );
  const index = new MiniSearch<Entry>({
    fields: ["title", "heading", "defined", "text"],
    storeFields: ["page", "anchor", "heading", "text", "source", "title", "weight"],
    tokenize: (text) => text.split(/[^\p{L}\p{N}_.-]+/u).filter(Boolean),
    processTerm: (term) => {
      const [found] = terms(term.replace(/^[.-]+|[.-]+$/g, ""));
      return found ?? null;
    },
    searchOptions: {
      boost: { heading: 2, title: 1.5, defined: 3 },
      prefix: (term) => term.length >= 4,
      fuzzy: (term) => (term.length >= 6 ? 0.15 : false),
    },
  });
  index.addAll(entries);
  const frequency = new Map<string, number>();
  for (const entry of entries)
    for (const term of new Set(terms(`${entry.heading} ${entry.text}`))) frequency.set(term, (frequency.get(term) ?? 0) + 1);

  return {
    sections: entries.length,
    documentFrequency: (term) => frequency.get(term) ?? 0,
    search(query, options = {}) {
      const limit = options.limit ?? 10;
      const filter = options.sources ? (result: SearchResult) => options.sources!.includes(String(result.source)) : undefined;
      const results = index.search(query, {
        combineWith: "OR",
        ...(filter ? { filter } : {}),
        boostDocument: (_id, _term, stored) => Number(stored?.weight ?? 1) * (stored?.page === options.boostPage ? 1.2 : 1),
      });
      return results.slice(0, limit).map((result) => ({
        section: {
          page: String(result.page),
          anchor: String(result.anchor),
          heading: String(result.heading),
          text: String(result.text),
          source: String(result.source),
        },
        title: titles.get(String(result.page)) ?? String(result.title),
        score: result.score,
        matched: result.queryTerms,
      }));
    },
  };
}
