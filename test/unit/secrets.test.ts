/**
 * Secrets stay with the attestor (issue 13, item 12): the training worker starts without the attestor's
 * keys or credentialed URLs, and a job's public error carries no URL.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorker, workerEnv } from "../../attestor/factory/src/worker.js";
import { withoutUrls } from "../../attestor/runtime/src/errors.js";

const secrets = {
  ATTESTOR_VALIDATOR_KEY: `0x${"11".repeat(32)}`,
  ATTESTOR_RELAYER_KEY: `0x${"22".repeat(32)}`,
  ATTESTOR_KEY: `0x${"33".repeat(32)}`,
  L2_DEPLOYER_KEY: `0x${"44".repeat(32)}`,
  PROVENA_RPC_URL: "https://l2.example/v2/sekret-api-key",
  PROVENA_WS_URL: "wss://l2.example/ws/sekret-api-key",
  DATABASE_URL: "postgresql://user:sekret@db/provena",
  IPFS_API_URL: "http://user:sekret@kubo:5001",
  HF_TOKEN: "hf_sekret",
};

test("the worker's environment drops keys, tokens and credentialed URLs, and keeps the rest", () => {
  const kept = { PATH: "/usr/bin", HOME: "/home/x", PROVENA_CACHE: "/c", PROVENA_TORCH_THREADS: "2", TOKENIZERS_PARALLELISM: "false" };
  assert.deepEqual(workerEnv({ ...secrets, AWS_SECRET_ACCESS_KEY: "x", ...kept }), kept);
});

test("a started worker process sees none of the attestor's secrets", async () => {
  // The interpreter is a script that prints the environment it was given: what any worker would see.
  const dir = mkdtempSync(join(tmpdir(), "provena-worker-env-"));
  try {
    const python = join(dir, "python");
    writeFileSync(python, "#!/bin/sh\nenv\n");
    chmodSync(python, 0o755);
    const lines: string[] = [];
    const worker = await startWorker("check", {}, { env: { ...secrets, PROVENA_PYTHON: python }, onLog: (line) => lines.push(line) });
    assert.equal((await worker.exited).code, 0);
    const seen = lines.join("\n");
    assert.match(seen, /PYTHONUNBUFFERED=1/, "the script ran and printed its environment");
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(!seen.includes(`${name}=`), `${name} reached the worker`);
      assert.ok(!seen.includes(value), `${name}'s value reached the worker`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("public error messages name no URL: an RPC endpoint's API key does not leak", () => {
  const viemLike =
    'HTTP request failed.\n\nURL: https://l2.example/v2/sekret-api-key\nRequest body: {"method":"eth_call"}\n\nVersion: viem@2.57.20';
  const shown = withoutUrls(viemLike);
  assert.ok(!shown.includes("sekret"), shown);
  assert.match(shown, /URL: <url>/);
  assert.equal(withoutUrls("fetch failed (postgresql://u:p@db/x)"), "fetch failed (<url>)");
  assert.equal(withoutUrls("no URL here: the dataset is empty"), "no URL here: the dataset is empty");
});
