/**
 * The page model: every page the docs serve (the guides, the references generated from the code, and the
 * pages of ingested sites) is Markdown with a slug, a title and a source; search and answers work on its
 * sections, cut at its headings, each with the anchor its HTML heading gets.
 */

/** Provena's own pages; an ingested site's pages carry that site's name. */
export const OWN_SOURCE = "provena";

export type PageGroup = "Guides" | "Reference" | "Optional";

export type Page = {
  /** Path under /docs/, without `.md`: `guides/contributor`, `sources/<name>/<path>`. */
  slug: string;
  title: string;
  /** One line for /llms.txt and search results. */
  summary: string;
  markdown: string;
  source: string;
  group: PageGroup;
  /** Where an ingested page came from. */
  url?: string;
};

export type Section = {
  page: string;
  /** The heading's anchor on its page ("" for the text before the first heading). */
  anchor: string;
  heading: string;
  /** The section's text, Markdown. */
  text: string;
  source: string;
};

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
export const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_~[\]()<>]/g, "")
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");

/** Heading lines outside fenced code blocks, with their level and text. */
export function headings(lines: string[]): { line: number; level: number; text: string }[] {
  const found: { line: number; level: number; text: string }[] = [];
  let fence: string | undefined;
  for (const [line, content] of lines.entries()) {
    const opens = /^\s*(```|~~~)/.exec(content)?.[1];
    if (opens) fence = fence === opens ? undefined : (fence ?? opens);
    if (fence) continue;
    const match = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(content);
    if (match) found.push({ line, level: match[1]!.length, text: match[2]! });
  }
  return found;
}

/** A page cut at its headings; anchors repeated on one page get `-1`, `-2`, … as GitHub does. */
export function sectionsOf(page: Page): Section[] {
  const lines = page.markdown.split("\n");
  const marks = headings(lines);
  const seen = new Map<string, number>();
  const sections: Section[] = [];
  const push = (anchor: string, heading: string, from: number, to: number) => {
    const text = lines.slice(from, to).join("\n").trim();
    if (text) sections.push({ page: page.slug, anchor, heading, text, source: page.source });
  };
  push("", page.title, 0, marks[0]?.line ?? lines.length);
  for (const [i, mark] of marks.entries()) {
    const base = anchorOf(mark.text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    push(count === 0 ? base : `${base}-${count}`, mark.text, mark.line + 1, marks[i + 1]?.line ?? lines.length);
  }
  return sections;
}

/** The title a Markdown text gives itself (its first H1), or undefined. */
export const titleOf = (markdown: string): string | undefined => headings(markdown.split("\n")).find((h) => h.level === 1)?.text;

/** The first paragraph after the title, as one line: a page's summary when it states none. */
export function firstParagraph(markdown: string): string {
  const body = markdown.replace(/^\s*#\s+.*\n/, "");
  const paragraph = body.split(/\n\s*\n/).find((block) => block.trim() && !/^\s*(#|```|\||[-*] |>)/.test(block));
  return (paragraph ?? "").replace(/\s+/g, " ").trim();
}
