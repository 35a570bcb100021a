/**
 * An agent on the running stack: `npm start` (ports picked free), then the MCP SDK's own client on the docs
 * server's /mcp lists every tool and calls each one against live data (the demo's Datanets, contributions,
 * leaderboard, allowances; a model id that is not registered, which verify_model reports as such), reads the
 * pages as resources, and gets a tool's bad input back as an error result that names the problem. With a
 * model of the catalog configured (a tiny random GPT-2: what it writes is noise, what it was given is not),
 * an answer also carries the generated one, written through the attestor's chat from the excerpts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { generatePrivateKey } from "viem/accounts";
import { type Answer, MCP_TOOLS } from "@provena/docs";

const root = new URL("../..", import.meta.url).pathname;

type ToolAnswer = { content: { type: string; text: string }[]; isError?: boolean };
const json = (answer: ToolAnswer) => JSON.parse(answer.content[0]!.text) as Record<string, unknown>;

describe("an agent on the running stack, through MCP alone", () => {
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let output = "";
  let dataDir: string;
  let docsUrl: string;
  let client: Client;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "provena-docs-live-"));
    const tiny = execFileSync("bash", [join(root, "scripts/tiny-models.sh")], { encoding: "utf8" }).trim();
    mkdirSync(join(dataDir, "models"));
    symlinkSync(join(tiny, "gpt2"), join(dataDir, "models", "tiny-gpt2"));
    child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      cwd: root,
      env: {
        ...process.env,
        PROVENA_RPC_PORT: "0",
        ATTESTOR_PORT: "0",
        PROVENA_INDEXER_PORT: "0",
        DOCS_PORT: "0",
        PROVENA_DATA_DIR: dataDir,
        DOCS_ANSWER_MODEL: "tiny-gpt2",
        DOCS_ANSWER_KEY: generatePrivateKey(),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = Date.now() + 240_000;
    while (!output.includes("Ready.")) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not become ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    docsUrl = /docs\s+(http:\/\/127\.0\.0\.1:\d+)\/docs/.exec(output)?.[1] ?? assert.fail(`no docs URL in:\n${output}`);
    client = new Client({ name: "provena-test-agent", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${docsUrl}/mcp`)));
  });
  after(async () => {
    await client?.close();
    child.kill("SIGTERM");
    assert.equal(await exited, 0, output);
    await assert.rejects(fetch(`${docsUrl}/health`), "the docs server outlived npm start");
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("every tool is listed, with a description and an input schema", async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), [...MCP_TOOLS].sort());
    for (const tool of tools) assert.ok(tool.description && tool.inputSchema.type === "object", tool.name);
  });

  test("the docs tools: search, read a page, ask", async () => {
    const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolAnswer;
    const hits = JSON.parse((await call("search_docs", { query: "upload receipt" })).content[0]!.text) as { page: string }[];
    assert.ok(hits.length > 0 && hits.some((hit) => hit.page === "guides/contributor"));
    const page = json(await call("read_page", { page: "guides/validator" }));
    assert.match(String(page.markdown), /# Validator guide/);
    const answer = json(await call("ask", { question: "How do I send signed verdicts through the relay?" }));
    assert.equal(answer.found, true);
    assert.ok((answer.excerpts as { page: string }[]).some((e) => e.page === "guides/validator"));
    const unknown = await call("read_page", { page: "guides/nothing" });
    assert.equal(unknown.isError, true);
    assert.equal((json(unknown).error as { code: string }).code, "unknown_page");
  });

  test("the live tools read the chain's state through the indexer, the attestor and the verifier", async () => {
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const answer = (await client.callTool({ name, arguments: args })) as ToolAnswer;
      return { answer, body: json(answer) };
    };
    const datanets = (await call("list_datanets", { limit: 10 })).body.datanets as { id: string | number; name: string }[];
    assert.equal(datanets.length, 6, "the demo's six Datanets");
    const one = (await call("get_datanet", { id: Number(datanets[0]!.id) })).body;
    assert.equal(String(one.name ?? (one.datanet as { name?: string })?.name), datanets[0]!.name);

    const indexerUrl = /indexer\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    const { contributions } = (await (await fetch(`${indexerUrl}/contributions?status=accepted&limit=1`)).json()) as {
      contributions: { id: string; contributor: string; datanetId: number }[];
    };
    const contribution = (await call("get_contribution", { id: contributions[0]!.id })).body;
    assert.equal(contribution.id, contributions[0]!.id);
    assert.ok("assessment" in contribution, "the automatic validator's assessment, or null where it did not judge it");

    const board = (await call("get_leaderboard", { window: "all", limit: 5 })).body;
    assert.ok(Array.isArray(board.entries) && (board.entries as unknown[]).length > 0);
    const allowance = (await call("get_allowance", { datanet: contributions[0]!.datanetId, address: contributions[0]!.contributor })).body;
    assert.equal(typeof allowance.filesLeft, "number");
    assert.ok("uploadable" in allowance && "maxFileBytes" in allowance);

    const model = await call("get_model", { id: 999 });
    assert.equal(model.answer.isError, true, "the demo registers no model");
    assert.match(JSON.stringify(model.body), /not_found|999/);
    const verified = (await call("verify_model", { id: 999 })).body;
    assert.equal(verified.ok, false);
    assert.match(JSON.stringify(verified.summary), /registered/);

    const bad = await call("get_allowance", { datanet: 1, address: "0x1234" });
    assert.equal(bad.answer.isError, true);
    assert.equal((bad.body.error as { code: string }).code, "bad_address");
  });

  test("with a model configured, an answer carries a generated one, written from the excerpts through the attestor's chat", {
    timeout: 180_000,
  }, async () => {
    const question = "How do I send signed verdicts through the relay?";
    const response = await fetch(`${docsUrl}/docs/guides/validator.md?ask=${encodeURIComponent(question)}`, {
      headers: { accept: "application/json" },
    });
    const answer = (await response.json()) as Answer;
    assert.equal(answer.found, true);
    const generated = answer.generated as { model: string; text: string; promptTokens: number; finishReason: string };
    assert.equal(generated.model, "tiny-gpt2", JSON.stringify(answer.generated));
    assert.equal(typeof generated.text, "string");
    const excerptWords = answer.excerpts.reduce((n, e) => n + e.text.split(/\s+/).length, 0);
    // The excerpts may be cut to the tiny model's 512-token context, never dropped.
    assert.ok(
      generated.promptTokens > excerptWords / 2,
      `the prompt holds the excerpts (${generated.promptTokens} tokens for ${excerptWords} words)`,
    );
    const unrelated = (await (
      await fetch(`${docsUrl}/docs/guides/validator.md?ask=${encodeURIComponent("What is the capital of France?")}`, {
        headers: { accept: "application/json" },
      })
    ).json()) as Answer;
    assert.equal(unrelated.found, false);
    assert.equal(unrelated.generated, undefined, "nothing is generated without excerpts");
  });

  test("pages are resources", async () => {
    const { resources } = await client.listResources();
    assert.ok(resources.some((resource) => resource.uri === "provena-docs://guides/contributor"));
    const read = await client.readResource({ uri: "provena-docs://reference/http-api" });
    assert.match(String((read.contents[0] as { text: string }).text), /# HTTP API reference[\s\S]*## For agents/);
  });
});
