/**
 * The read-only MCP server (Streamable HTTP, the official SDK, stateless: a server and transport per
 * request, answers as JSON): tools to search, read and ask the docs, live data tools over the indexer, the
 * attestor and the verifier, and every page as a resource `provena-docs://<page>`. Nothing it offers writes.
 */
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import * as z from "zod/v4";
import { type Answer, type AskParameters, MAX_QUESTION_CHARS } from "./ask.js";
import { DocsError } from "./errors.js";
import type { Library } from "./library.js";
import type { Live } from "./live.js";
import { agentSection, type Urls } from "./llms.js";
import { hitView } from "./search.js";

export const MCP_TOOLS = [
  "search_docs",
  "read_page",
  "ask",
  "list_datanets",
  "get_datanet",
  "get_contribution",
  "get_leaderboard",
  "get_allowance",
  "get_model",
  "verify_model",
] as const;

export const RESOURCE_SCHEME = "provena-docs://";

type ToolResult = { content: { type: "text"; text: string }[]; isError?: boolean };

/** A tool's answer as JSON text; a DocsError (or any failure) as an error result naming it, never a thrown request. */
async function answer(work: () => unknown): Promise<ToolResult> {
  try {
    return { content: [{ type: "text", text: JSON.stringify(await work(), null, 1) }] };
  } catch (error) {
    const code = error instanceof DocsError ? error.code : "failed";
    return { content: [{ type: "text", text: JSON.stringify({ error: { code, message: (error as Error).message } }) }], isError: true };
  }
}

const id = z.number().int().positive();

export function mcpServer(library: Library, live: Live, urls: Urls, ask: (parameters: AskParameters) => Promise<Answer>): McpServer {
  const server = new McpServer(
    { name: "provena-docs", version: "0.1.0" },
    {
      instructions:
        "Provena's documentation and live data, read-only. Start with ask (a question in words) or search_docs, read_page for a whole page; the live tools read Datanets, contributions, leaderboards, allowances and models from the running system.",
    },
  );
  const page = (slug: string) => {
    const found = library.bySlug.get(slug.replace(/\.md$/, "").replace(/^\/?(docs\/)?/, ""));
    if (!found) throw new DocsError("not_found", "unknown_page", `no page "${slug}": search_docs lists pages, /llms.txt names them all`);
    return found;
  };

  server.registerTool(
    "search_docs",
    {
      title: "Search the docs",
      description:
        "Full-text search over every page's sections (guides, references, ingested sites); returns page, anchor, heading and a snippet.",
      inputSchema: {
        query: z.string().min(1).max(MAX_QUESTION_CHARS),
        limit: z.number().int().min(1).max(50).optional(),
        source: z.string().optional(),
      },
    },
    ({ query, limit, source }) =>
      answer(() =>
        library.index.search(query, { limit: limit ?? 10, ...(source ? { sources: [source] } : {}) }).map((hit) => hitView(hit, urls.docs)),
      ),
  );
  server.registerTool(
    "read_page",
    {
      title: "Read a page",
      description: "A page's Markdown by its slug (e.g. guides/contributor, reference/http-api).",
      inputSchema: { page: z.string().min(1).max(300) },
    },
    ({ page: slug }) => answer(() => ({ page: page(slug).slug, title: page(slug).title, markdown: page(slug).markdown })),
  );
  server.registerTool(
    "ask",
    {
      title: "Ask the docs",
      description:
        'An answer quoted from the docs, with each excerpt\'s page and anchor and a confidence; found is false ("Not in the docs.") when nothing matches well enough.',
      inputSchema: { question: z.string(), goal: z.string().optional(), source: z.string().optional() },
    },
    ({ question, goal, source }) => answer(() => ask({ question, goal, ...(source ? { sources: [source] } : {}) })),
  );
  server.registerTool(
    "list_datanets",
    {
      title: "List Datanets",
      description: "Datanets in id order, with metadata, validators and quorum (indexer).",
      inputSchema: { limit: z.number().int().min(1).max(100).optional(), after: z.number().int().min(0).optional() },
    },
    (params) => answer(() => live.listDatanets(params)),
  );
  server.registerTool(
    "get_datanet",
    { title: "Get a Datanet", description: "One Datanet: settings, validators, quorum, caps and metadata.", inputSchema: { id } },
    ({ id: datanet }) => answer(() => live.getDatanet(datanet)),
  );
  server.registerTool(
    "get_contribution",
    {
      title: "Get a contribution",
      description:
        "A contribution's file, status, votes and finalization (indexer) and the automatic validator's assessment (attestor), by its 0x id.",
      inputSchema: { id: z.string() },
    },
    ({ id: contribution }) => answer(() => live.getContribution(contribution)),
  );
  server.registerTool(
    "get_leaderboard",
    {
      title: "Get the leaderboard",
      description: "Contributors ranked by accepted quality, over all Datanets or one, for all time, the day or the week.",
      inputSchema: {
        datanet: id.optional(),
        window: z.enum(["all", "day", "week"]).optional(),
        limit: z.number().int().min(1).max(100).optional(),
        cursor: z.string().optional(),
      },
    },
    (params) => answer(() => live.getLeaderboard(params)),
  );
  server.registerTool(
    "get_allowance",
    {
      title: "Get an allowance",
      description: "What a contributor may still upload today to a Datanet (the attestor, from the chain).",
      inputSchema: { datanet: id, address: z.string() },
    },
    ({ datanet, address }) => answer(() => live.getAllowance(datanet, address)),
  );
  server.registerTool(
    "get_model",
    {
      title: "Get a model",
      description: "A registered model: base, dataset, artifacts, attestor, parent, flags (indexer).",
      inputSchema: { id },
    },
    ({ id: model }) => answer(() => live.getModel(model)),
  );
  server.registerTool(
    "verify_model",
    {
      title: "Verify a model",
      description:
        "Runs the verifier on a registered model from the chain and IPFS alone: every check of its provenance, ok or the reason it fails.",
      inputSchema: { id },
    },
    ({ id: model }) => answer(() => live.verifyModel(model)),
  );

  server.registerResource(
    "page",
    new ResourceTemplate(`${RESOURCE_SCHEME}{+slug}`, {
      list: () => ({
        resources: library.pages.map((p) => ({
          uri: `${RESOURCE_SCHEME}${p.slug}`,
          name: p.slug,
          title: p.title,
          description: p.summary,
          mimeType: "text/markdown",
        })),
      }),
    }),
    { title: "Documentation page", description: "A page of the docs as Markdown", mimeType: "text/markdown" },
    (uri, variables) => {
      const found = page(String(variables.slug));
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: found.markdown + agentSection(found, urls) }] };
    },
  );
  return server;
}

/** Answers one MCP HTTP request. */
export async function handleMcp(
  request: Request,
  library: Library,
  live: Live,
  urls: Urls,
  ask: (parameters: AskParameters) => Promise<Answer>,
): Promise<Response> {
  const server = mcpServer(library, live, urls, ask);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    // JSON answers are complete when handleRequest returns.
    void transport.close();
    void server.close();
  }
}
