/**
 * The verifier's core runs in a browser: `verifier/src/index.ts` bundles for esbuild's browser platform (a
 * `node:` import or a Node-only package anywhere in its import graph fails the build), and the bundle, run in a
 * context with only browser globals (no process, Buffer or require), fetches files from a gateway and checks
 * them against their CIDs: a one-block raw CID and a multi-chunk UnixFS CID, hashed with WebCrypto.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { cidOf } from "@provena/common";
import { sha256 } from "@provena/common/node";
import { build } from "esbuild";
import { bytesToHex, type Hex } from "viem";

const root = new URL("../..", import.meta.url).pathname;
const src = join(root, "verifier/src");

const bundle = async () => {
  const result = await build({
    entryPoints: [join(src, "index.ts")],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "verifier",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
};

test("only cli.ts in verifier/src imports a node: module", () => {
  const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
  assert.ok(files.length > 10, `verifier/src has ${files.length} modules`);
  const withNode = files.filter((file) => /from\s+["']node:|import\(\s*["']node:/.test(readFileSync(join(src, file), "utf8")));
  assert.deepEqual(withNode, ["cli.ts"]);
});

test("the core bundles for the browser, without the CLI or any Node module", async () => {
  const { inputs } = await bundle();
  assert.ok(
    inputs.some((input) => input.endsWith("verifier/src/verifyModel.ts")),
    "the bundle holds the verifier",
  );
  assert.ok(
    inputs.some((input) => input.endsWith("common/src/cid.ts")),
    "and common's CID profile",
  );
  assert.deepEqual(
    inputs.filter((input) => input.startsWith("node:") || input.endsWith("verifier/src/cli.ts") || input.endsWith("common/src/node.ts")),
    [],
  );
});

test("in a context with browser globals only, the bundle fetches files and checks them against their CIDs", async () => {
  const { code } = await bundle();
  const small = randomBytes(5_000);
  const large = randomBytes(2_500_000); // three 1 MiB chunks: a UnixFS DAG, not a raw CID
  const files = new Map<string, Uint8Array>();
  for (const bytes of [small, large]) files.set((await cidOf(bytes)).toString(), bytes);
  const server = createServer((request, response) => {
    const bytes = files.get(request.url!.replace("/ipfs/", ""));
    if (!bytes) return response.writeHead(404).end();
    response.writeHead(200, { "content-length": String(bytes.length) }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Globals every browser has (Node has them too); Node's own (process, Buffer, require, global) are absent.
    const browser = {
      fetch,
      Request,
      Response,
      Headers,
      ReadableStream,
      Blob,
      crypto: globalThis.crypto,
      AbortController,
      AbortSignal,
      Event,
      EventTarget,
      CustomEvent,
      TextEncoder,
      TextDecoder,
      URL,
      URLSearchParams,
      queueMicrotask,
      setTimeout,
      clearTimeout,
      console,
    };
    const context: Record<string, unknown> = { ...browser, globalThis: undefined };
    context.globalThis = context;
    context.self = context;
    context.window = context;
    runInNewContext(code, context);
    const verifier = context.verifier as typeof import("@provena/verify");
    assert.equal(verifier.parseModelId(" 7 "), 7n);
    const ctx = { gateway, fetchTimeoutMs: 10_000 } as Parameters<typeof verifier.fetchVerified>[0];
    for (const bytes of [small, large]) {
      const cid = await cidOf(bytes);
      const fetched = await verifier.fetchVerified(ctx, bytesToHex(cid.bytes));
      assert.ok(fetched.ok, JSON.stringify(fetched));
      assert.equal(fetched.cid, cid.toString());
      assert.equal(fetched.sha256, sha256(bytes));
      assert.equal(fetched.bytes.length, bytes.length);
    }
    // Other bytes than the CID names are caught, in both kinds of CID.
    for (const bytes of [small, large]) {
      const cid = (await cidOf(bytes)).toString();
      const flipped = Uint8Array.from(bytes);
      flipped[0]! ^= 1;
      files.set(cid, flipped);
      const fetched = await verifier.fetchVerified(ctx, bytesToHex((await cidOf(bytes)).bytes) as Hex);
      assert.equal(fetched.ok, false);
      assert.match((fetched as { problem: string }).problem, new RegExp(`^bytes do not match CID ${cid}`));
    }
  } finally {
    server.close();
  }
});
