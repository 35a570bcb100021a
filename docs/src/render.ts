/**
 * Pages as HTML: markdown-it with raw HTML off (a page, ingested ones included, cannot inject markup or
 * script), headings given the anchors search results link to, links with a scheme other than http(s),
 * mailto or a relative path dropped by markdown-it's own validator. Served with a CSP that allows no script.
 */
import MarkdownIt from "markdown-it";
import type { Library } from "./library.js";
import { anchorOf, OWN_SOURCE, type Page } from "./pages.js";

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

// The same anchors as sectionsOf: GitHub's, with -1, -2 for repeats on a page.
markdown.core.ruler.push("heading_anchors", (state) => {
  const seen = new Map<string, number>();
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.type !== "heading_open") continue;
    const text = tokens[i + 1]?.children?.map((child) => child.content).join("") ?? "";
    const base = anchorOf(text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    tokens[i]!.attrSet("id", count === 0 ? base : `${base}-${count}`);
  }
});

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'";

export function renderPage(page: Page, library: Library): string {
  const nav = (["Guides", "Reference", "Optional"] as const)
    .map((group) => {
      const items = library.pages
        .filter((p) => p.group === group && p.source === OWN_SOURCE)
        .map((p) => `<li><a href="/docs/${p.slug}"${p.slug === page.slug ? ' aria-current="page"' : ""}>${escapeHtml(p.title)}</a></li>`)
        .join("");
      return `<h2>${group}</h2><ul>${items}</ul>`;
    })
    .join("");
  const origin = page.url
    ? `<p class="origin">From <a href="${escapeHtml(page.url)}">${escapeHtml(page.url)}</a> (${escapeHtml(page.source)})</p>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · Provena docs</title>
<link rel="alternate" type="text/markdown" href="/docs/${page.slug}.md">
<style>
body{font:16px/1.55 system-ui,sans-serif;margin:0;display:flex;color:#1d232a}
nav{width:16rem;padding:1rem;border-right:1px solid #ddd;min-height:100vh;font-size:14px}
nav h2{font-size:12px;text-transform:uppercase;color:#667;margin:1rem 0 .3rem}nav ul{list-style:none;padding:0;margin:0}
nav a[aria-current]{font-weight:600}main{max-width:52rem;padding:1rem 2rem;overflow-x:auto}
table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top}
code{background:#f3f4f6;padding:0 .2rem;border-radius:3px}pre{background:#f3f4f6;padding:.8rem;overflow-x:auto}
form{margin:.5rem 0 1rem}input[type=search]{width:24rem;padding:.3rem}.origin{color:#667}
</style></head>
<body><nav><a href="/docs">Provena docs</a>${nav}<h2>For agents</h2><ul><li><a href="/llms.txt">llms.txt</a></li><li><a href="/llms-full.txt">llms-full.txt</a></li><li><a href="/docs/${page.slug}.md">This page as Markdown</a></li></ul></nav>
<main><form action="/docs/${page.slug}.md" method="get"><input type="search" name="ask" placeholder="Ask the docs" maxlength="500"> <button>Ask</button></form>
${origin}${markdown.render(page.markdown)}</main></body></html>
`;
}
