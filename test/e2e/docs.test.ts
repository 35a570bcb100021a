/**
 * The docs server as agents and people use it, on the real repository: pages as HTML and Markdown, llms.txt,
 * the references generated from the code (and that they cannot drift from it), ?ask= on a question set,
 * ingestion of a GitBook-shaped site served locally (a changed page, a missing one), and bad input of every
 * kind refused by name. The live data tools are tested against the running stack in docs-live.test.ts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Answer,
  documentedEnvironment,
  type DocsServer,
  docsConfigFromEnv,
  GUIDES,
  ingestSite,
  ROUTE_NOTES,
  routeKey,
  scanEnvironment,
  scanRoutes,
  startDocsServer,
} from "@provena/docs";
import { contributionLedgerAbi, datanetRegistryAbi, modelRegistryAbi } from "@provena/common";

const root = new URL("../..", import.meta.url).pathname;
const questions = JSON.parse(readFileSync(join(root, "test/fixtures/docs-questions.json"), "utf8")) as { question: string; page: string }[];

/** A GitBook-shaped site: llms.txt linking its pages' .md, whose content the test changes between ingestions. */
function startSite(pages: Map<string, string>, options: { llmsTxt?: boolean; full?: string; listed?: string[] } = {}) {
  const server = createServer((request, response) => {
    const path = new URL(request.url!, "http://x").pathname;
    if (path === "/llms.txt" && options.llmsTxt !== false) {
      const links = (options.listed ?? [...pages.keys()]).map((page) => `- [${page}](/${page}.md): about ${page}`).join("\n");
      response.end(`# Acme Docs\n\n> Acme's rocket documentation.\n\n## Docs\n\n${links}\n`);
      return;
    }
    if (path === "/llms-full.txt" && options.full) return void response.end(options.full);
    const page = pages.get(path.replace(/^\//, "").replace(/\.md$/, ""));
    if (page === undefined) {
      response.statusCode = 404;
      return void response.end("not found");
    }
    response.setHeader("content-type", "text/markdown");
    response.end(page);
  });
  return new Promise<{ url: string; server: Server }>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })),
  );
}

describe("the docs server", () => {
  let docs: DocsServer;
  let sourcesDir: string;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${docs.url}${path}`, { headers });
  const askJson = async (question: string, page = "guides/overview", extra = "") => {
    const response = await get(`/docs/${page}.md?ask=${encodeURIComponent(question)}${extra}`, { accept: "application/json" });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Answer;
  };

  before(async () => {
    sourcesDir = mkdtempSync(join(tmpdir(), "provena-docs-sources-"));
    // Live data is not needed here: the tools that need it are tested on the running stack.
    docs = await startDocsServer({
      ...docsConfigFromEnv({ DOCS_PORT: "0", DOCS_SOURCES_DIR: sourcesDir }, root),
      indexerUrl: "http://127.0.0.1:9",
      attestorUrl: "http://127.0.0.1:9",
    });
  });
  after(async () => {
    await docs.close();
    rmSync(sourcesDir, { recursive: true, force: true });
  });

  test("every guide is served as HTML (no script, a CSP, anchors on its headings) and as Markdown ending with the agents' section", async () => {
    for (const [name] of GUIDES) {
      const html = await get(`/docs/guides/${name}`);
      assert.equal(html.status, 200, name);
      assert.match(html.headers.get("content-security-policy") ?? "", /default-src 'none'/);
      const body = await html.text();
      assert.doesNotMatch(body, /<script/i, name);
      assert.match(body, /<h2 id="[a-z0-9-]+">/, name);
      const md = await get(`/docs/guides/${name}.md`);
      assert.equal(md.status, 200);
      assert.match(md.headers.get("content-type") ?? "", /text\/markdown/);
      const text = await md.text();
      assert.equal(text.startsWith(readFileSync(join(root, "docs/guides", `${name}.md`), "utf8")), true, name);
      assert.match(text, /## For agents[\s\S]*\?ask=[\s\S]*\/mcp/, name);
    }
  });

  test("llms.txt: an H1, a blockquote summary, sections of links with notes, Optional last; every link is served; llms-full.txt holds every page", async () => {
    const text = await (await get("/llms.txt")).text();
    assert.match(text, /^# Provena\n\n> /);
    const sections = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(sections, ["Guides", "Reference", "Optional"]);
    const links = [...text.matchAll(/^- \[([^\]]+)\]\((\S+)\): \S/gm)].map((m) => m[2]!).filter((url) => url.startsWith(docs.url));
    assert.ok(links.length >= GUIDES.length + 3, `${links.length} links`);
    for (const link of links) assert.equal((await fetch(link)).status, 200, link);
    const full = await (await get("/llms-full.txt")).text();
    for (const [name] of GUIDES) assert.ok(full.includes(readFileSync(join(root, "docs/guides", `${name}.md`), "utf8").trim()), name);
    assert.ok(
      full.includes("# HTTP API reference") && full.includes("# Contracts reference") && full.includes("# Configuration reference"),
    );
  });

  test("the references are generated from the code and cannot drift: routes, environment variables, contract functions", async () => {
    const routes = scanRoutes(root).map(routeKey);
    assert.deepEqual(
      routes.filter((key) => !(key in ROUTE_NOTES)),
      [],
      "routes in the code with no note in docs/src/reference/routes.ts",
    );
    assert.deepEqual(
      Object.keys(ROUTE_NOTES).filter((key) => !routes.includes(key)),
      [],
      "notes for routes the code no longer has",
    );
    const api = await (await get("/docs/reference/http-api.md")).text();
    for (const route of scanRoutes(root)) assert.ok(api.includes(`\`${route.method} ${route.path}\``), route.path);

    const read = scanEnvironment(root);
    const documented = new Set(documentedEnvironment(readFileSync(join(root, "README.md"), "utf8")).flatMap((row) => row.names));
    assert.deepEqual(
      [...read.keys()].filter((name) => !documented.has(name)),
      [],
      "variables read but not in the README's Configuration table",
    );
    assert.deepEqual(
      [...documented].filter((name) => !read.has(name)),
      [],
      "variables in the README's table that nothing reads",
    );
    const configuration = await (await get("/docs/reference/configuration.md")).text();
    for (const name of read.keys()) assert.ok(configuration.includes(`\`${name}\``), name);

    const contracts = await (await get("/docs/reference/contracts.md")).text();
    const functions = [datanetRegistryAbi, contributionLedgerAbi, modelRegistryAbi].flatMap((abi) =>
      abi.filter((item) => item.type === "function").map((item) => (item as { name: string }).name),
    );
    for (const name of functions) assert.ok(contracts.includes(`### \`${name}(`), name);
    assert.match(contracts, /### `createDatanet\(IDatanetRegistry\.CreateParams params\)`[\s\S]*?Requirements:/);
  });

  test("?ask= on the question set cites the right page, with excerpts, anchors and a confidence; an unrelated question is not in the docs", async () => {
    let right = 0;
    const wrong: string[] = [];
    for (const { question, page } of questions) {
      const answer = await askJson(question);
      if (answer.found && answer.excerpts.some((e) => e.page === page)) right++;
      else wrong.push(`${question} → ${answer.found ? answer.excerpts.map((e) => e.page).join(", ") : "not found"} (want ${page})`);
      for (const excerpt of answer.excerpts) {
        assert.ok(excerpt.text.length > 0 && excerpt.page && typeof excerpt.anchor === "string");
        const html = await (await get(`/docs/${excerpt.page}`)).text();
        if (excerpt.anchor)
          assert.ok(html.includes(`id="${excerpt.anchor}"`), `${excerpt.page}#${excerpt.anchor} is an anchor of its page`);
      }
      assert.ok(answer.confidence >= 0 && answer.confidence <= 1);
    }
    console.log(
      `# ?ask=: ${right} of ${questions.length} questions cite the right page${wrong.length ? `; the others:\n# ${wrong.join("\n# ")}` : ""}`,
    );
    assert.ok(right >= Math.ceil(questions.length * 0.8), `${right} of ${questions.length} cite the right page`);

    for (const unrelated of ["What is the capital of France?", "How do I bake sourdough bread with rye flour?"]) {
      const answer = await askJson(unrelated);
      assert.equal(answer.found, false, unrelated);
      assert.equal(answer.answer, "Not in the docs.");
      assert.deepEqual(answer.excerpts, []);
    }
    const markdown = await (await get(`/docs/guides/validator.md?ask=${encodeURIComponent("What fields does the verdict have?")}`)).text();
    assert.match(
      markdown,
      /^# What fields does the verdict have\?\n[\s\S]*Confidence: [01]\.?\d*\n[\s\S]*## Sources[\s\S]*\(http:\/\/127\.0\.0\.1:\d+\/docs\/guides\/validator#/,
    );
  });

  test("bad input is refused by name: an empty or 10 kB question, an unknown page, a malformed MCP request, a foreign Origin, an oversized MCP body", async () => {
    const error = async (response: Response, status: number, code: string) => {
      assert.equal(response.status, status, await response.clone().text());
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, code);
    };
    await error(await get("/docs/guides/overview.md?ask="), 400, "empty_question");
    await error(await get("/docs/guides/overview.md?ask=%20%20"), 400, "empty_question");
    await error(await get(`/docs/guides/overview.md?ask=${"why ".repeat(2_500)}`), 413, "question_too_long");
    await error(await get("/docs/guides/overview.md?ask=the%20of%20and"), 400, "no_terms");
    await error(await get("/docs/no/such/page.md"), 404, "unknown_page");
    await error(await get("/docs/no/such/page.md?ask=contribute"), 404, "unknown_page");
    await error(await get("/docs/no-such-page"), 404, "unknown_page");
    await error(await get("/docs/%E0%A4%A.md"), 400, "bad_path");
    await error(await get("/docs/search?q="), 400, "empty_query");
    await error(await get(`/docs/search?q=${"word ".repeat(200)}`), 413, "query_too_long");

    const mcp = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${docs.url}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body,
      });
    const malformed = await mcp("{ not json");
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { error: { code: number } }).error.code, -32700, "a JSON-RPC parse error");
    const notJsonRpc = await mcp(JSON.stringify({ jsonrpc: "2.0", id: 1 }));
    assert.equal(notJsonRpc.status, 400);
    assert.equal(((await notJsonRpc.json()) as { error: { code: number } }).error.code, -32700, "not a JSON-RPC message");
    const badArguments = await mcp(
      JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "search_docs", arguments: { query: 5 } } }),
    );
    const refused = (await badArguments.json()) as { result: { isError: boolean; content: { text: string }[] } };
    assert.equal(refused.result.isError, true);
    assert.match(refused.result.content[0]!.text, /Invalid arguments for tool search_docs: .*query/);
    await error(await mcp("{}", { origin: "https://evil.example" }), 403, "forbidden_origin");
    await error(await mcp(JSON.stringify({ padding: "x".repeat(70_000) })), 413, "body_too_large");
  });

  test("ingestion: a GitBook-shaped site's pages become a source ?ask= searches; again, only the changed page is written, a missing one reported", async () => {
    const pages = new Map([
      [
        "rockets/launch",
        "# Launch checklist\n\nBefore ignition, the flight director confirms the liquid oxygen tank pressure is nominal.\n",
      ],
      ["rockets/landing", "# Landing\n\nThe booster lands on the drone ship with three engine relights.\n"],
      ["index", "# Acme\n\nAcme builds reusable rockets.\n"],
    ]);
    // The site links a page it never serves, and later stops serving one it links.
    const site = await startSite(pages, { listed: [...pages.keys(), "missing-page"] });
    try {
      const first = await ingestSite({ url: site.url, name: "acme", sourcesDir });
      assert.equal(first.from, "llms.txt");
      assert.deepEqual(first.added.sort(), ["index", "rockets/landing", "rockets/launch"]);
      assert.equal(first.missing.length, 1);
      assert.match(first.missing[0]!.error, /missing-page\.md answered 404/);

      await new Promise((resolve) => setTimeout(resolve, 1_100)); // the server looks for new sources once a second
      const answer = await askJson("Who confirms the liquid oxygen tank pressure before ignition?");
      assert.equal(answer.found, true, JSON.stringify(answer));
      assert.equal(answer.excerpts[0]!.page, "sources/acme/rockets/launch");
      assert.equal(answer.excerpts[0]!.source, "acme");
      const only = await askJson("Who confirms the liquid oxygen tank pressure?", "guides/overview", "&source=provena");
      assert.equal(only.found, false, "asked of Provena's own pages only");
      const served = await (await get("/docs/sources/acme/rockets/launch.md")).text();
      assert.match(served, /liquid oxygen/);

      pages.set("rockets/landing", "# Landing\n\nThe booster lands on the drone ship with a single engine relight.\n");
      pages.delete("index");
      const second = await ingestSite({ url: site.url, name: "acme", sourcesDir });
      assert.deepEqual(second.updated, ["rockets/landing"]);
      assert.deepEqual(second.added, []);
      assert.equal(second.unchanged, 1);
      assert.deepEqual(second.removed, ["index"], "a page the site no longer serves (404) is dropped");
      assert.deepEqual(second.missing.map((m) => new URL(m.url).pathname).sort(), ["/index.md", "/missing-page.md"]);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      assert.match((await askJson("How many engine relights does the booster landing use?")).answer, /single engine relight/);
    } finally {
      site.server.close();
    }

    const full = await startSite(new Map(), {
      llmsTxt: false,
      full: "# Widgets\n\nSource: /widgets.md\n\nWidgets spin at 3000 rpm.\n\n```sh\n# not a title\n```\n\n# Gadgets\n\nSource: /gadgets.md\n\nGadgets hum.\n",
    });
    try {
      const report = await ingestSite({ url: full.url, name: "widgets", sourcesDir });
      assert.equal(report.from, "llms-full.txt");
      assert.deepEqual(report.added.sort(), ["gadgets", "widgets"]);
    } finally {
      full.server.close();
    }

    const empty = await startSite(new Map(), { llmsTxt: false });
    try {
      await assert.rejects(ingestSite({ url: empty.url, name: "empty", sourcesDir }), /serves neither llms\.txt nor llms-full\.txt/);
    } finally {
      empty.server.close();
    }
    // What a stranger's site can make ingestion take is bounded: pages, and bytes per page.
    const big = await startSite(
      new Map([
        ["huge", `# Huge\n\n${"x".repeat(5_000)}\n`],
        ["small", "# Small\n\nfine\n"],
      ]),
    );
    try {
      await assert.rejects(ingestSite({ url: big.url, name: "big", sourcesDir, maxPages: 1 }), /links 2 pages; at most 1/);
      const capped = await ingestSite({ url: big.url, name: "big", sourcesDir, maxPageBytes: 1_000 });
      assert.deepEqual(capped.added, ["small"]);
      assert.match(capped.missing[0]!.error, /huge\.md is (5\d{3} bytes, )?over the 1000-byte limit per page/);
    } finally {
      big.server.close();
    }
    await assert.rejects(ingestSite({ url: "file:///etc/passwd", sourcesDir }), /only http and https/);
    await assert.rejects(ingestSite({ url: "not a url", sourcesDir }), /not a URL/);
    await assert.rejects(ingestSite({ url: "http://127.0.0.1:9", name: "Bad Name", sourcesDir }), /lower-case letters/);
  });
});
