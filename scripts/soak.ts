/**
 * `npm run soak -- --minutes 30 [--interval 5]`: the whole local stack (as `npm start` runs it, without
 * the demo) under a steady load for a while, failing if anything stops following the chain (issue 13,
 * item 9: Hardhat's node drops websocket subscriptions after ~5 minutes, so run it for longer than that).
 * Every interval a fresh account contributes 2 text files (stored in the attestor, judged by its
 * automatic validator, landed by its relay); every 6th interval a new Datanet is created with its
 * metadata. Every second it checks:
 *  - the indexer's GET /lag answers 200 (fails after 30 s of 503s);
 *  - the attestor's GET /health: the validator's follower is `following` (fails after 30 s without);
 *  - each new Datanet is served by the indexer within 15 s, its metadata resolved within 30 s;
 *  - each contribution's verdict is indexed within 120 s (validator, relay and indexer all following);
 *  - the indexer's process never had to be started again.
 * Prints a table of figures and exits 1 at the first failure (or 0 after the duration). Runs in a
 * temporary data directory on free ports; leaves nothing behind.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createWalletClient, http, parseEther, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { contributionId, contributionLedgerAbi, datanetRegistryAbi, fileTypeByName, modalityCode } from "@provena/common";
import { rawCidBytes, sha256 } from "@provena/common/node";
import { textFile } from "./lib/demo-content.js";

const { values } = parseArgs({
  options: { minutes: { type: "string", default: "30" }, interval: { type: "string", default: "5" } },
  allowPositionals: true,
});
const minutes = Number(values.minutes);
const intervalMs = Number(values.interval) * 1000;
if (!(minutes > 0) || !(intervalMs > 0)) {
  console.error("usage: npm run soak -- --minutes N [--interval SECONDS]");
  process.exit(2);
}

const CHECK_MS = 1_000;
const BOUNDS = { unhealthyMs: 30_000, datanetMs: 15_000, metadataMs: 30_000, verdictMs: 120_000, drainMs: 120_000 };

// A throwaway data directory and free ports: a soak never touches `npm start`'s state.
const dataDir = mkdtempSync(join(tmpdir(), "provena-soak-"));
Object.assign(process.env, { PROVENA_DATA_DIR: dataDir, PROVENA_INDEXER_PORT: "0", ATTESTOR_PORT: "0", DOCS_PORT: "0" });
const { startLocalStack } = await import("./lib/local-stack.js");
const started = performance.now();
const stack = await startLocalStack({ host: "127.0.0.1", port: 0, seed: false });
const { attestor, deployment, indexer, publicClient, testClient } = stack;
const validatorAddress = attestor.validator?.address;
if (!validatorAddress) throw new Error("the attestor runs no automatic validator");
console.log(`stack up in ${Math.round((performance.now() - started) / 1000)} s; soaking for ${minutes} min`);

const registry = deployment.contracts.DatanetRegistry.address;
const ledger = deployment.contracts.ContributionLedger.address;
const transport = http(stack.rpcUrl);
const freshWallet = async () => {
  const account = privateKeyToAccount(generatePrivateKey());
  await testClient.setBalance({ address: account.address, value: parseEther("10") });
  return createWalletClient({ account, chain: { ...hardhat, id: deployment.chainId }, transport });
};
const wait = async (hash: Hex) => {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
};
const getJson = async <T>(url: string) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as T };
};

// ------------------------------------------------------------------ figures

const figures = {
  checks: 0,
  datanets: 0,
  contributions: 0,
  accepted: 0,
  rejected: 0,
  indexerMaxLagBlocks: 0,
  indexerMaxBehindMs: 0,
  indexer503s: 0,
  validatorMaxLagBlocks: 0,
  validatorNotFollowing: 0,
  relayMaxPending: 0,
  datanetLatencyMs: [] as number[],
  metadataLatencyMs: [] as number[],
  verdictLatencyMs: [] as number[],
};
const failures: string[] = [];
const fail = (why: string) => {
  if (!failures.includes(why)) failures.push(why);
};

const awaitingDatanet = new Map<number, number>(); // id → created at (ms)
const awaitingMetadata = new Map<number, number>();
const awaitingVerdict = new Map<Hex, number>(); // contribution id → submitted at (ms)
let unhealthyIndexerSince: number | undefined;
let unhealthyValidatorSince: number | undefined;

async function check() {
  figures.checks += 1;
  const now = performance.now();
  const lag = await getJson<{ following: boolean; lagBlocks?: number; behindMs?: number; error: string | null }>(
    `${indexer.url}/lag`,
  ).catch((error: unknown) => ({
    status: 0,
    body: { following: false, error: String(error) } as { following: boolean; lagBlocks?: number; behindMs?: number; error: string | null },
  }));
  figures.indexerMaxLagBlocks = Math.max(figures.indexerMaxLagBlocks, lag.body.lagBlocks ?? 0);
  figures.indexerMaxBehindMs = Math.max(figures.indexerMaxBehindMs, lag.body.behindMs ?? 0);
  if (lag.status === 200) unhealthyIndexerSince = undefined;
  else {
    figures.indexer503s += 1;
    unhealthyIndexerSince ??= now;
    if (now - unhealthyIndexerSince > BOUNDS.unhealthyMs)
      fail(`indexer: /lag not 200 for ${BOUNDS.unhealthyMs / 1000} s (${lag.body.error})`);
  }

  const health = await getJson<{ backlog: { following: boolean; lagBlocks: number | null; verdicts: number; error: string | null } }>(
    `${attestor.url}/health`,
  );
  const backlog = health.body.backlog;
  figures.validatorMaxLagBlocks = Math.max(figures.validatorMaxLagBlocks, backlog.lagBlocks ?? 0);
  figures.relayMaxPending = Math.max(figures.relayMaxPending, backlog.verdicts);
  if (backlog.following) unhealthyValidatorSince = undefined;
  else {
    figures.validatorNotFollowing += 1;
    unhealthyValidatorSince ??= now;
    if (now - unhealthyValidatorSince > BOUNDS.unhealthyMs)
      fail(`validator: not following for ${BOUNDS.unhealthyMs / 1000} s (${backlog.error})`);
  }

  for (const [id, createdAt] of awaitingDatanet) {
    const { status, body } = await getJson<{ metadataStatus?: string }>(`${indexer.url}/datanets/${id}`);
    if (status === 200) {
      figures.datanetLatencyMs.push(now - createdAt);
      awaitingDatanet.delete(id);
      if (body.metadataStatus === "pending") awaitingMetadata.set(id, createdAt);
      else figures.metadataLatencyMs.push(now - createdAt);
    } else if (now - createdAt > BOUNDS.datanetMs) fail(`indexer: Datanet ${id} not served ${BOUNDS.datanetMs / 1000} s after its receipt`);
  }
  for (const [id, createdAt] of awaitingMetadata) {
    const { body } = await getJson<{ metadataStatus: string; metadataError: string | null }>(`${indexer.url}/datanets/${id}`);
    if (body.metadataStatus === "resolved") {
      figures.metadataLatencyMs.push(now - createdAt);
      awaitingMetadata.delete(id);
    } else if (body.metadataStatus !== "pending") fail(`indexer: Datanet ${id}'s metadata ${body.metadataStatus} (${body.metadataError})`);
    else if (now - createdAt > BOUNDS.metadataMs)
      fail(`indexer: Datanet ${id}'s metadata still pending after ${BOUNDS.metadataMs / 1000} s`);
  }
  await verdicts(now);
}

async function verdicts(now: number) {
  for (const [id, submittedAt] of awaitingVerdict) {
    const { status, body } = await getJson<{ status: string }>(`${indexer.url}/contributions/${id}`);
    if (status === 200 && body.status !== "pending") {
      figures.verdictLatencyMs.push(now - submittedAt);
      figures[body.status === "accepted" ? "accepted" : "rejected"] += 1;
      awaitingVerdict.delete(id);
    } else if (now - submittedAt > BOUNDS.verdictMs)
      fail(`verdict for ${id} not indexed ${BOUNDS.verdictMs / 1000} s after the contribution`);
  }
}

// ------------------------------------------------------------------ load

let datanetId = 0n;
let tick = 0;
const owner = await freshWallet();

async function createDatanet() {
  const metadata = new TextEncoder().encode(JSON.stringify({ summary: `Soak Datanet ${figures.datanets + 1}`, tags: ["soak"] }));
  const cid = await attestor.store.add(metadata);
  await wait(
    await owner.writeContract({
      address: registry,
      abi: datanetRegistryAbi,
      functionName: "createDatanet",
      args: [
        {
          name: `soak ${figures.datanets + 1}`,
          metadataCid: `0x${Buffer.from(cid.bytes).toString("hex")}`,
          modality: modalityCode("text"),
          validators: [validatorAddress!],
          quorum: 1,
          dailyByteCap: 0n,
          isPublic: true,
        },
      ],
    }),
  );
  datanetId = await publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "datanetCount" });
  figures.datanets += 1;
  awaitingDatanet.set(Number(datanetId), performance.now());
}

async function contribute() {
  const contributor = await freshWallet();
  const items = [];
  for (let i = 0; i < 2; i++) {
    const n = figures.contributions + i + 1;
    const bytes = textFile(
      `Soak note ${n}`,
      `Note ${n} of the soak, written at ${new Date().toISOString()} by ${contributor.account.address}.\n\n` +
        `It says that block ${await publicClient.getBlockNumber({ cacheTime: 0 })} was the head when it was written, ` +
        `and that ${n * 7919} is ${n} times a prime. Each note differs from the others in these numbers.`,
    );
    await attestor.store.add(bytes);
    items.push({
      contentHash: sha256(bytes),
      cid: `0x${Buffer.from(rawCidBytes(bytes)).toString("hex")}` as Hex,
      size: bytes.length,
      fileType: fileTypeByName("txt").code,
    });
  }
  await wait(
    await contributor.writeContract({ address: ledger, abi: contributionLedgerAbi, functionName: "contribute", args: [datanetId, items] }),
  );
  const at = performance.now();
  for (const item of items) awaitingVerdict.set(contributionId(datanetId, item.contentHash), at);
  figures.contributions += items.length;
}

const headAtStart = Number(await publicClient.getBlockNumber({ cacheTime: 0 }));
const soakStart = performance.now();
const end = soakStart + minutes * 60_000;
let checking = false;
const checker = setInterval(() => {
  if (checking) return;
  checking = true;
  void check()
    .catch((error: unknown) => fail(`check failed: ${String(error)}`))
    .finally(() => {
      checking = false;
    });
}, CHECK_MS);
let lastReport = soakStart;
try {
  while (performance.now() < end && failures.length === 0) {
    if (tick % 6 === 0) await createDatanet();
    await contribute();
    tick += 1;
    if (performance.now() - lastReport > 60_000) {
      lastReport = performance.now();
      console.log(
        `${Math.round((lastReport - soakStart) / 60_000)} min: ${figures.datanets} Datanets, ${figures.contributions} contributions, ` +
          `${figures.accepted + figures.rejected} verdicts indexed, indexer lag ≤ ${figures.indexerMaxLagBlocks} blocks, validator lag ≤ ${figures.validatorMaxLagBlocks}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  // The last verdicts land, within the bound.
  const drainEnd = performance.now() + BOUNDS.drainMs;
  while (
    failures.length === 0 &&
    (awaitingVerdict.size > 0 || awaitingDatanet.size > 0 || awaitingMetadata.size > 0) &&
    performance.now() < drainEnd
  ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (awaitingVerdict.size > 0) fail(`${awaitingVerdict.size} verdicts not indexed at the end`);
} catch (error) {
  fail(`load failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  clearInterval(checker);
}
const headAtEnd = Number(await publicClient.getBlockNumber({ cacheTime: 0 }));
// The supervisor brings a dead indexer back, but it should not have died.
if (indexer.restarts() > 0) fail(`indexer: its process exited ${indexer.restarts()} times (started again by the supervisor)`);

const pct = (values: number[], p: number) => {
  if (values.length === 0) return "–";
  const sorted = [...values].sort((a, b) => a - b);
  return `${Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!)} ms`;
};
const rows: [string, string | number][] = [
  ["duration", `${((performance.now() - soakStart) / 60_000).toFixed(1)} min (load every ${intervalMs / 1000} s)`],
  ["blocks mined", headAtEnd - headAtStart],
  ["Datanets created", figures.datanets],
  ["contributions", figures.contributions],
  ["verdicts indexed", `${figures.accepted + figures.rejected} (${figures.accepted} accepted, ${figures.rejected} rejected)`],
  ["checks", figures.checks],
  ["indexer: max lag", `${figures.indexerMaxLagBlocks} blocks, ${figures.indexerMaxBehindMs} ms behind a head`],
  ["indexer: /lag not 200", figures.indexer503s],
  ["indexer: restarts", indexer.restarts()],
  ["indexer: Datanet served after receipt", `p50 ${pct(figures.datanetLatencyMs, 50)}, max ${pct(figures.datanetLatencyMs, 100)}`],
  ["indexer: metadata resolved after receipt", `p50 ${pct(figures.metadataLatencyMs, 50)}, max ${pct(figures.metadataLatencyMs, 100)}`],
  ["validator: max lag", `${figures.validatorMaxLagBlocks} blocks`],
  ["validator: not following", figures.validatorNotFollowing],
  ["relay: max verdicts pending", figures.relayMaxPending],
  [
    "verdict indexed after contribution",
    `p50 ${pct(figures.verdictLatencyMs, 50)}, p95 ${pct(figures.verdictLatencyMs, 95)}, max ${pct(figures.verdictLatencyMs, 100)}`,
  ],
];
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`\nsoak ${failures.length === 0 ? "passed" : "FAILED"}`);
for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
for (const failure of failures) console.log(`  FAILED: ${failure}`);
await stack.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(failures.length === 0 ? 0 : 1);
