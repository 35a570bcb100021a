/**
 * /llms.txt (llmstxt.org: an H1, a blockquote summary, notes, then H2 sections of `- [title](url): note`
 * links, the last one "Optional"), /llms-full.txt (every page, concatenated) and the section for agents
 * that ends every page's `.md`.
 */
import type { Library } from "./library.js";
import { OWN_SOURCE, type Page } from "./pages.js";

export type Urls = { docs: string; attestor: string; indexer: string };

const mdUrl = (urls: Urls, page: Page) => `${urls.docs}/docs/${page.slug}.md`;

export function llmsTxt(library: Library, urls: Urls): string {
  const link = (page: Page) => `- [${page.title}](${mdUrl(urls, page)}): ${page.summary}`;
  const group = (name: Page["group"]) => library.pages.filter((page) => page.group === name && page.source === OWN_SOURCE).map(link);
  const ingested = library.pages.filter((page) => page.source !== OWN_SOURCE).map(link);
  return `# Provena

> Provena turns contributed data into an earned, traceable asset: contributors add files to curated
> Datanets, validators accept or reject each with signed verdicts on an EVM L2, a leaderboard ranks
> contributors, model builders fine-tune on accepted data, and anyone can verify a model's provenance.

Every page is Markdown at its URL (the HTML page's URL plus \`.md\`). Ask a question of the docs with
\`GET ${urls.docs}/docs/<page>.md?ask=<question>\` (an answer quoted from the docs, with each excerpt's page
and anchor and a confidence; "Not in the docs." when nothing matches well enough). The MCP server at
\`${urls.docs}/mcp\` (Streamable HTTP, read-only) has tools to search and read these pages and to read live
data: Datanets, contributions, leaderboards, allowances and models, and to verify a model.

## Guides

${group("Guides").join("\n")}

## Reference

${group("Reference").join("\n")}
- [Indexer REST API](${urls.indexer}/datanets): live Datanets, contributions, leaderboards and models as JSON
- [Attestor health](${urls.attestor}/health): the attestor's services and backlog

## Optional

${[...group("Optional"), ...ingested].join("\n")}
`;
}

export function llmsFullTxt(library: Library, urls: Urls): string {
  return library.pages
    .filter((page) => page.source === OWN_SOURCE)
    .map((page) => `${page.markdown.trim()}\n\nSource: ${mdUrl(urls, page)}\n`)
    .join("\n---\n\n");
}

/** How an agent goes on from a page: appended to every `.md`. */
export function agentSection(page: Page, urls: Urls): string {
  return `

---

## For agents

- Ask the docs: \`GET ${urls.docs}/docs/${page.slug}.md?ask=<question>\` (optional \`&goal=<what you are trying to do>\`); JSON with \`Accept: application/json\`.
- Search: \`GET ${urls.docs}/docs/search?q=<words>\`. Every page: \`${urls.docs}/llms.txt\`; all of them in one file: \`${urls.docs}/llms-full.txt\`.
- MCP (Streamable HTTP, read-only): \`${urls.docs}/mcp\` — tools \`search_docs\`, \`read_page\`, \`ask\`, \`list_datanets\`, \`get_datanet\`, \`get_contribution\`, \`get_leaderboard\`, \`get_allowance\`, \`get_model\`, \`verify_model\`; pages as resources \`provena-docs://<page>\`.
- Live data: the indexer's REST API at ${urls.indexer} (\`/datanets\`, \`/contributions\`, \`/leaderboard\`, \`/models\`), the attestor at ${urls.attestor} (\`/health\`, uploads, verdicts, ModelFactory).
`;
}
