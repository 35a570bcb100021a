/**
 * Docs benchmark: `?ask=` latency over the docs padded to 1,000 pages, an MCP tool call's latency, and
 * ingestion speed.
 *   npm run bench:docs                 a table
 *   npm run bench:docs -- --json       the table, then ONE JSON object on the last line
 *   --pages N (the padded total, default 1000), --rounds N (passes over the question set, default 5),
 *   --mcp-calls N (default 200).
 * 1. A GitBook-shaped site served on loopback (llms.txt, each page's .md) with the pages that bring the
 *    docs to N: seeded prose from the guides' own words, so that questions meet many near-matches. It is
 *    ingested (ingest_pages_per_s), then ingested again unchanged (ingest_unchanged_pages_per_s).
 * 2. The docs server on that library: every question of test/fixtures/docs-questions.json asked `--rounds`
 *    times over HTTP (`.md?ask=`, JSON), one after another; the baseline is the same page's `.md` without
 *    a question, fetched as often in the same run (`ask_over_plain_page_p50`).
 * 3. The MCP SDK's client on /mcp: `search_docs` called `--mcp-calls` times, one after another.
 */
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { seededRandom } from "@provena/common";
import { docsConfigFromEnv, GUIDES, ingestSite, loadLibrary, startDocsServer } from "@provena/docs";
import { cleanups, integerOption, percentile } from "./lib/bench.js";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    pages: { type: "string", default: "1000" },
    rounds: { type: "string", default: "5" },
    "mcp-calls": { type: "string", default: "200" },
  },
});
const PAGES = integerOption(args, "pages");
const ROUNDS = integerOption(args, "rounds");
const MCP_CALLS = integerOption(args, "mcp-calls");
const root = new URL("..", import.meta.url).pathname;
const log = (message: string) => console.error(`bench:docs: ${message}`);
const { add, run } = cleanups(log);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const median = (values: number[]) => percentile(values, 50);

/** Pages of seeded prose in the guides' vocabulary, each with a title, two sections and a list. */
function paddingPages(count: number): Map<string, string> {
  const words = GUIDES.flatMap(
    ([name]) =>
      readFileSync(join(root, "docs/guides", `${name}.md`), "utf8")
        .toLowerCase()
        .match(/[a-z]{3,}/g) ?? [],
  );
  const random = seededRandom(0xd0c5);
  const pick = () => words[Math.floor(random() * words.length)]!;
  const sentence = () => {
    const text = Array.from({ length: 8 + Math.floor(random() * 12) }, pick).join(" ");
    return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  };
  const paragraph = () => Array.from({ length: 3 + Math.floor(random() * 4) }, sentence).join(" ");
  const pages = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    pages.set(
      `topic-${i}`,
      `# ${pick()} ${pick()} ${i}\n\n${paragraph()}\n\n## ${pick()} ${pick()}\n\n${paragraph()}\n\n- ${sentence()}\n- ${sentence()}\n\n## ${pick()}\n\n${paragraph()}\n`,
    );
  }
  return pages;
}

async function serveSite(pages: Map<string, string>) {
  const server = createServer((request, response) => {
    const path = new URL(request.url!, "http://x").pathname;
    if (path === "/llms.txt")
      return void response.end(`# Padding\n\n## Docs\n\n${[...pages.keys()].map((p) => `- [${p}](/${p}.md)`).join("\n")}\n`);
    const page = pages.get(path.slice(1).replace(/\.md$/, ""));
    if (page === undefined) {
      response.statusCode = 404;
      return void response.end();
    }
    response.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  add(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

await run(async () => {
  const sourcesDir = mkdtempSync(join(tmpdir(), "provena-bench-docs-"));
  add(() => rmSync(sourcesDir, { recursive: true, force: true }));
  const urls = { docs: "http://docs", attestor: "http://127.0.0.1:9", indexer: "http://127.0.0.1:9" };
  const own = loadLibrary({ root, sourcesDir, urls }).pages.length;
  const padding = Math.max(0, PAGES - own);
  const site = await serveSite(paddingPages(padding));

  log(`ingesting ${padding} pages (the docs' own ${own} bring them to ${own + padding})`);
  const first = await timed(() => ingestSite({ url: site, name: "padding", sourcesDir, concurrency: 8 }));
  const again = await timed(() => ingestSite({ url: site, name: "padding", sourcesDir, concurrency: 8 }));
  if (first.value.added.length !== padding || again.value.unchanged !== padding) throw new Error("the padding was not ingested whole");

  const docs = await startDocsServer({
    ...docsConfigFromEnv({ DOCS_PORT: "0", DOCS_SOURCES_DIR: sourcesDir }, root),
    indexerUrl: urls.indexer,
    attestorUrl: urls.attestor,
  });
  add(() => docs.close());
  const health = (await (await fetch(`${docs.url}/health`)).json()) as { pages: number; sections: number };
  const questions = JSON.parse(readFileSync(join(root, "test/fixtures/docs-questions.json"), "utf8")) as {
    question: string;
    page: string;
  }[];
  const get = async (path: string) => {
    const response = await fetch(`${docs.url}${path}`, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.text();
  };
  // Warm-up: the first requests compile the code paths.
  for (const { question } of questions.slice(0, 5)) await get(`/docs/guides/overview.md?ask=${encodeURIComponent(question)}`);

  const askMs: number[] = [];
  const plainMs: number[] = [];
  let right = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const { question, page } of questions) {
      const asked = await timed(() => get(`/docs/guides/overview.md?ask=${encodeURIComponent(question)}`));
      askMs.push(asked.ms);
      const answer = JSON.parse(asked.value) as { found: boolean; excerpts: { page: string }[] };
      if (r === 0 && answer.found && answer.excerpts.some((e) => e.page === page)) right++;
      plainMs.push((await timed(() => get("/docs/guides/overview.md"))).ms);
    }
  }

  const client = new Client({ name: "bench-docs", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${docs.url}/mcp`)));
  add(() => client.close());
  const mcpMs: number[] = [];
  for (let i = 0; i < MCP_CALLS; i++) {
    const { question } = questions[i % questions.length]!;
    mcpMs.push((await timed(() => client.callTool({ name: "search_docs", arguments: { query: question, limit: 5 } }))).ms);
  }

  const results = {
    pages: health.pages,
    sections: health.sections,
    questions: questions.length * ROUNDS,
    ask_p50_ms: round(median(askMs)),
    ask_p95_ms: round(percentile(askMs, 95)),
    plain_page_p50_ms: round(median(plainMs)),
    ask_over_plain_page_p50: round(median(askMs) / median(plainMs), 2),
    right_page: `${right}/${questions.length}`,
    mcp_call_p50_ms: round(median(mcpMs)),
    mcp_call_p95_ms: round(percentile(mcpMs, 95)),
    ingest_pages_per_s: round(padding / (first.ms / 1000)),
    ingest_unchanged_pages_per_s: round(padding / (again.ms / 1000)),
  };
  const rows: [string, string, string][] = [
    ["pages / sections", `${results.pages} / ${results.sections}`, ""],
    ["ask_p50_ms", String(results.ask_p50_ms), "≤ 50"],
    ["ask_p95_ms", String(results.ask_p95_ms), ""],
    ["plain_page_p50_ms (baseline)", String(results.plain_page_p50_ms), ""],
    ["ask_over_plain_page_p50", String(results.ask_over_plain_page_p50), ""],
    ["questions citing the right page", results.right_page, ""],
    ["mcp_call_p50_ms (search_docs)", String(results.mcp_call_p50_ms), ""],
    ["ingest_pages_per_s", String(results.ingest_pages_per_s), ""],
    ["ingest_unchanged_pages_per_s", String(results.ingest_unchanged_pages_per_s), ""],
  ];
  for (const [key, value, target] of rows) console.log(`${key.padEnd(34)} ${value.padStart(12)}  ${target}`);
  if (args.json) console.log(JSON.stringify(results));
});
