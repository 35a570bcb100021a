/**
 * The docs server (Hono): pages as HTML at /docs/<page> and as Markdown at /docs/<page>.md, `?ask=` on
 * either, /docs/search, /llms.txt, /llms-full.txt and the MCP endpoint /mcp. Read-only; listens on
 * 127.0.0.1 unless told otherwise; /mcp refuses browser origins not configured (DNS rebinding, drive-by
 * pages) and bodies over 64 KiB. One error handler maps DocsError kinds to statuses.
 */
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import type { Context } from "hono";
import { type Answer, ask } from "./ask.js";
import type { DocsConfig } from "./config.js";
import { DOCS_ERROR_STATUS, DocsError } from "./errors.js";
import { type Library, liveLibrary } from "./library.js";
import { createLive } from "./live.js";
import { agentSection, llmsFullTxt, llmsTxt, type Urls } from "./llms.js";
import { handleMcp } from "./mcp.js";
import type { Page } from "./pages.js";
import { CSP, renderPage } from "./render.js";

export const MAX_MCP_BODY_BYTES = 65_536;

const answerMarkdown = (result: Answer, urls: Urls) => {
  const lines = [`# ${result.question}`, "", result.found ? result.answer : "Not in the docs.", "", `Confidence: ${result.confidence}`];
  if (result.excerpts.length > 0) {
    lines.push("", "## Sources", "");
    for (const e of result.excerpts)
      lines.push(
        ...e.text.split("\n").map((line) => `> ${line}`),
        ">",
        `> — [${e.title}${e.heading && e.heading !== e.title ? ` › ${e.heading}` : ""}](${urls.docs}/docs/${e.page}${e.anchor ? `#${e.anchor}` : ""})`,
        "",
      );
  }
  return `${lines.join("\n")}\n`;
};

const wantsJson = (c: Context) => /application\/json/.test(c.req.header("accept") ?? "");

/** A request's body, read to at most `limit` bytes (a larger one is refused, whatever its headers said). */
async function cappedBody(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (!request.body) return undefined;
  if (Number(request.headers.get("content-length") ?? 0) > limit)
    throw new DocsError("too_large", "body_too_large", `an MCP request is at most ${limit} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.length;
    if (size > limit) throw new DocsError("too_large", "body_too_large", `an MCP request is at most ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function docsApp(config: DocsConfig, urls: Urls) {
  const library = liveLibrary({ root: config.root, sourcesDir: config.sourcesDir, urls });
  const live = createLive(config);
  const allowedOrigins = new Set([urls.docs, ...config.origins]);

  const pageOf = (lib: Library, slug: string): Page => {
    const page = lib.bySlug.get(slug);
    if (!page) throw new DocsError("not_found", "unknown_page", `no page "${slug}": /llms.txt lists every page`);
    return page;
  };
  const askOf = (c: Context, lib: Library, page: Page) =>
    ask(lib.index, { question: c.req.query("ask") ?? "", goal: c.req.query("goal"), page: page.slug, sources: c.req.queries("source") });

  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof DocsError)
      return c.json(
        { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } },
        DOCS_ERROR_STATUS[error.kind],
      );
    console.error(error);
    return c.json({ error: { code: "internal", message: "the docs server failed to answer; see its log" } }, 500);
  });
  app.notFound((c) => c.json({ error: { code: "not_found", message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  app.get("/health", (c) => {
    const lib = library();
    return c.json({ ok: true, pages: lib.pages.length, sections: lib.index.sections, sources: lib.sources });
  });
  app.get("/", (c) => c.redirect("/docs"));
  app.get("/llms.txt", (c) => c.text(llmsTxt(library(), urls)));
  app.get("/llms-full.txt", (c) => c.text(llmsFullTxt(library(), urls)));
  app.get("/docs/search", (c) => {
    const q = c.req.query("q") ?? "";
    if (!q.trim()) throw new DocsError("invalid", "empty_query", "q is empty: /docs/search?q=<words>");
    if (q.length > 500) throw new DocsError("too_large", "query_too_long", `q is ${q.length} characters; at most 500`);
    const limit = Math.min(50, Math.max(1, Number(c.req.query("limit") ?? 10) || 10));
    const hits = library().index.search(q, { limit, sources: c.req.queries("source") });
    return c.json({
      query: q,
      results: hits.map((h) => ({
        page: h.section.page,
        anchor: h.section.anchor,
        heading: h.section.heading,
        title: h.title,
        snippet: h.section.text.slice(0, 300),
        score: h.score,
      })),
    });
  });
  app.get("/docs", (c) => c.redirect("/docs/guides/overview"));
  app.get("/docs/*", (c) => {
    const lib = library();
    const path = decodeURIComponent(c.req.path.slice("/docs/".length));
    const markdown = path.endsWith(".md");
    const page = pageOf(lib, markdown ? path.slice(0, -3) : path);
    const asking = c.req.query("ask") !== undefined;
    if (markdown) {
      c.header("content-type", "text/markdown; charset=utf-8");
      if (!asking) return c.body(page.markdown + agentSection(page, urls));
      const result = askOf(c, lib, page);
      return wantsJson(c) ? c.json(result) : c.body(answerMarkdown(result, urls));
    }
    c.header("content-security-policy", CSP);
    if (!asking) return c.html(renderPage(page, lib));
    const result = askOf(c, lib, page);
    if (wantsJson(c)) return c.json(result);
    const answerPage: Page = { ...page, title: result.question, markdown: answerMarkdown(result, urls) };
    return c.html(renderPage(answerPage, lib));
  });
  app.all("/mcp", async (c) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && !allowedOrigins.has(origin))
      throw new DocsError(
        "forbidden",
        "forbidden_origin",
        `requests from the origin ${origin} are not served (DOCS_ORIGINS lists the allowed ones)`,
      );
    const raw = c.req.raw;
    const body = raw.method === "POST" ? await cappedBody(raw, MAX_MCP_BODY_BYTES) : undefined;
    const request = new Request(raw.url, { method: raw.method, headers: raw.headers, ...(body ? { body } : {}) });
    return handleMcp(request, library(), live, urls);
  });
  return app;
}

export type DocsServer = { url: string; port: number; close: () => Promise<void> };

export async function startDocsServer(config: DocsConfig): Promise<DocsServer> {
  let app: ReturnType<typeof docsApp> | undefined;
  // The app is made once the port is known: the pages link to the server's own URL.
  const server = createAdaptorServer({ fetch: (request) => app!.fetch(request) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
  app = docsApp(config, { docs: url, attestor: config.attestorUrl, indexer: config.indexerUrl });
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
