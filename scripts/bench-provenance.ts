/**
 * Provenance benchmark: the auditor's verifier over a model trained on 1,000 contributions, the gas of
 * registering a model, and a small model from `publishModel` to a verified report.
 *   npm run bench:provenance                   a table
 *   npm run bench:provenance -- --json         the table, then ONE JSON object on the last line
 *   --contributors N (fresh accounts, 20 files each, default 50: 1,000 contributions),
 *   --verify-runs N (verifyModel runs over the large model, fastest counts, default 2),
 *   --concurrency N (the verifier's file fetches at once, and the baseline's, default 16).
 *
 * Everything runs in this one process, as in the e2e tests: a Hardhat node with the contracts
 * (test/helpers/stack.ts) and the attestor (test/helpers/attestor.ts: embedded Helia store, its
 * `/ipfs/<cid>` gateway, SQLite state in a temp folder).
 * 1. Setup: a text Datanet (one validator, quorum 1); each contributor's 20 distinct ~200-byte text files
 *    are pinned in the attestor's store and contributed in one `contribute` (all contributors at once); the
 *    validator signs an accepting verdict for each, submitted 100 per `submitVerdicts`. A second text
 *    Datanet gets 4 such contributions, for the small model.
 * 2. `collectDataset` (attestor/factory/src/provenance/dataset.ts) over the large Datanet, timed.
 * 3. `publishModel` (attestor/factory/src/provenance/publish.ts) with an adapter of 64 KB random bytes (a stand-in
 *    for a real adapter); the gas of its `registerModel` transaction from the receipt; then `verifyModel`
 *    (@provena/verify, gateway = the attestor) --verify-runs times, each report must be ok.
 *    publish → verified: from calling `publishModel` to the first ok report (the verifier is created
 *    before: it only checks the chain id and the registry's code).
 * 4. Baseline: the same 1,000 content CIDs fetched from the same gateway with plain `fetch` + SHA-256
 *    (checked against the ledger's hash), at the same concurrency; each run right after a verify run
 *    (alternating), fastest of --verify-runs.
 * 5. The small model: a 4-contribution dataset from the second Datanet, publish → verified.
 */
import { createHash, randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { bytesToHex, keccak256, toHex, type Hex, type PrivateKeyAccount } from "viem";
import {
  Reason,
  fileTypeByName,
  contributionLedgerAbi,
  modelRegistryAbi,
  seededRandom,
  contributionId,
  signedVerdict,
} from "@provena/common";
import { sha256 } from "@provena/common/node";
import { collectDataset, publishModel, type PublishContext } from "@provena/factory";
import { createVerifier, verifyModel, type Report, type Verifier } from "@provena/verify";
import { startAttestor } from "../test/helpers/attestor.js";
import { admin, startChain, type Chain } from "../test/helpers/stack.js";
import { cleanups, integerOption } from "./lib/bench.js";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    contributors: { type: "string", default: "50" },
    "verify-runs": { type: "string", default: "2" },
    concurrency: { type: "string", default: "16" },
  },
});
const integer = (name: keyof typeof args, min = 1) => integerOption(args, name, min);
const CONTRIBUTORS = integer("contributors");
const VERIFY_RUNS = integer("verify-runs");
const CONCURRENCY = integer("concurrency");

const FILES_PER_CONTRIBUTOR = 20; // the ledger's per-call and per-contributor-per-day file limit
const SMALL_DATASET = 4;
const VERDICT_BATCH = 100;
const ADAPTER_BYTES = 64 * 1_024;
const ATTESTOR_ROLE = keccak256(toHex("ATTESTOR_ROLE"));
const TXT = fileTypeByName("txt").code;

const log = (message: string) => console.error(`[bench:provenance] ${message}`);
const ms = (since: number) => performance.now() - since;
const round = (value: number, digits = 0) => Number(value.toFixed(digits));

/** Undone in reverse order at the end, on error and on SIGINT/SIGTERM: the attestor, the chain node. */
const { add: undoLater, run: runBench } = cleanups(log);

// ------------------------------------------------------------------ content

const WORDS =
  "data model ledger verdict quorum validator contributor dataset manifest adapter provenance chain block gateway content record signature attestor registry root leaf hash file text".split(
    " ",
  );

/** A distinct ~200-byte UTF-8 text: a numbered heading and seeded words. */
function textFile(seed: number): Uint8Array {
  const random = seededRandom(Math.imul(seed, 0x9e3779b1) ^ 0x9a0f);
  let text = `Provenance benchmark note ${seed}:`;
  while (text.length < 196) text += ` ${WORDS[Math.floor(random() * WORDS.length)]}`;
  return new TextEncoder().encode(`${text.slice(0, 199)}\n`);
}

type Entry = { id: Hex; sha256: Hex; cidHex: Hex; cid: string; size: number };

// ------------------------------------------------------------------ main

async function main() {
  const began = performance.now();
  log("starting the chain and the attestor");
  const chain: Chain = await startChain();
  undoLater(() => chain.close());
  const attestor = await startAttestor(chain);
  undoLater(() => attestor.close());
  const chainId = chain.deployment.chainId;
  const ledger = chain.deployment.contracts.ContributionLedger.address;
  const registry = chain.deployment.contracts.ModelRegistry.address;
  const startBlock = BigInt(chain.deployment.contracts.ContributionLedger.startBlock);

  const [owner, validator, signer, relayer, creator] = await Promise.all([
    chain.account(),
    chain.account(),
    chain.account(),
    chain.account(),
    chain.account(),
  ]);
  await chain.wait(
    await chain
      .wallet(admin)
      .writeContract({ address: registry, abi: modelRegistryAbi, functionName: "grantRole", args: [ATTESTOR_ROLE, signer.address] }),
  );
  const bigDatanet = await chain.createDatanet(owner, [validator], 1, 0);
  const smallDatanet = await chain.createDatanet(owner, [validator], 1, 0);

  // 1. Pin, contribute, accept.
  let started = performance.now();
  let seed = 0;
  const contributeAs = async (contributor: PrivateKeyAccount, datanet: bigint, count: number): Promise<Entry[]> => {
    const entries: Entry[] = [];
    for (let i = 0; i < count; i++) {
      const bytes = textFile(++seed);
      const cid = await attestor.store.add(bytes);
      const hash = sha256(bytes);
      entries.push({
        id: contributionId(datanet, hash),
        sha256: hash,
        cidHex: bytesToHex(cid.bytes),
        cid: cid.toString(),
        size: bytes.length,
      });
    }
    const items = entries.map((e) => ({ contentHash: e.sha256, cid: e.cidHex, size: e.size, fileType: TXT }));
    await chain.wait(
      await chain
        .wallet(contributor)
        .writeContract({ address: ledger, abi: contributionLedgerAbi, functionName: "contribute", args: [datanet, items] }),
    );
    return entries;
  };
  const contributors = await Promise.all(Array.from({ length: CONTRIBUTORS + 1 }, () => chain.account()));
  const big = (
    await Promise.all(contributors.slice(0, CONTRIBUTORS).map((c) => contributeAs(c, bigDatanet, FILES_PER_CONTRIBUTOR)))
  ).flat();
  const small = await contributeAs(contributors[CONTRIBUTORS]!, smallDatanet, SMALL_DATASET);
  log(`pinned and contributed ${big.length} + ${small.length} files in ${(ms(started) / 1000).toFixed(1)} s`);

  started = performance.now();
  const deadline = BigInt((await chain.publicClient.getBlock()).timestamp) + 86_400n;
  const all = [...big, ...small];
  for (let i = 0; i < all.length; i += VERDICT_BATCH) {
    const signed = await Promise.all(
      all
        .slice(i, i + VERDICT_BATCH)
        .map((e) =>
          signedVerdict(validator, chainId, ledger, { contribution: e.id, accept: true, score: 80, reason: Reason.Accepted, deadline }),
        ),
    );
    await chain.wait(
      await chain
        .wallet(relayer)
        .writeContract({ address: ledger, abi: contributionLedgerAbi, functionName: "submitVerdicts", args: [signed] }),
    );
  }
  log(`${all.length} verdicts signed and submitted in ${(ms(started) / 1000).toFixed(1)} s`);

  // 2. The dataset.
  started = performance.now();
  const dataset = await collectDataset(attestor.chain, attestor.store, chainId, startBlock, { datanets: [bigDatanet] });
  const collectMs = ms(started);
  if (dataset.manifest.leaves.length !== big.length || dataset.skipped.length) {
    throw new Error(
      `collectDataset: ${dataset.manifest.leaves.length} leaves (expected ${big.length}), ${dataset.skipped.length} skipped: ${JSON.stringify(dataset.skipped.slice(0, 3))}`,
    );
  }
  log(`collectDataset over ${big.length}: ${collectMs.toFixed(0)} ms`);

  const publishContext: PublishContext = {
    chain: attestor.chain,
    store: attestor.store,
    chainId,
    registry,
    attestor: signer,
    sender: relayer,
  };
  const publish = (manifest: typeof dataset.manifest, name: string) =>
    publishModel(publishContext, {
      baseModel: { name, weightsHash: sha256(new TextEncoder().encode(`${name} weights`)) },
      adapter: new Uint8Array(randomBytes(ADAPTER_BYTES)),
      training: { method: "lora", rank: 8, note: "benchmark: the adapter is 64 KB of random bytes" },
      metrics: { evalLoss: 2.5 },
      manifest,
      creator: creator.address,
    });
  const verifier: Verifier = await createVerifier({
    deployment: chain.deployment,
    rpcUrl: chain.rpcUrl,
    gateway: attestor.url,
    concurrency: CONCURRENCY,
  });
  const verified = async (modelId: bigint, what: string): Promise<Report> => {
    const report = await verifyModel(verifier, modelId);
    if (!report.ok) throw new Error(`${what}: the report is not ok: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
    if (report.facts.datasetSize === undefined) throw new Error(`${what}: no datasetSize in the report`);
    return report;
  };

  // 3. The large model: publish, gas, verify.
  started = performance.now();
  const published = await publish(dataset.manifest, "tiny/bench-1000");
  const publishMs = ms(started);
  const receipt = await chain.publicClient.getTransactionReceipt({ hash: published.txHash });
  const registerGas = Number(receipt.gasUsed);

  // 4. Baseline: plain fetch + SHA-256 of the same 1,000 files, same gateway, same concurrency.
  const fetchAll = async () => {
    let next = 0;
    const worker = async () => {
      while (next < big.length) {
        const e = big[next++]!;
        const response = await fetch(`${attestor.url}/ipfs/${e.cid}`);
        if (response.status !== 200) throw new Error(`baseline: ${e.cid} answered ${response.status}`);
        const digest = `0x${createHash("sha256")
          .update(new Uint8Array(await response.arrayBuffer()))
          .digest("hex")}`;
        if (digest !== e.sha256.toLowerCase()) throw new Error(`baseline: ${e.cid} hashes to ${digest}, not ${e.sha256}`);
      }
    };
    const t = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return ms(t);
  };
  // Alternating: verify, baseline, verify, baseline, … (the first verify run follows publish directly).
  const verifyRuns: number[] = [];
  const fetchRuns: number[] = [];
  for (let r = 0; r < VERIFY_RUNS; r++) {
    const t = performance.now();
    const report = await verified(published.modelId, `model ${published.modelId} (${big.length} leaves), run ${r + 1}`);
    verifyRuns.push(ms(t));
    if (report.facts.datasetSize !== big.length) throw new Error(`datasetSize ${report.facts.datasetSize}, expected ${big.length}`);
    fetchRuns.push(await fetchAll());
    log(
      `run ${r + 1}: verifyModel over ${big.length} leaves ${verifyRuns.at(-1)!.toFixed(0)} ms; baseline fetch + SHA-256 ${fetchRuns.at(-1)!.toFixed(0)} ms`,
    );
  }
  const publishToVerified1000 = publishMs + verifyRuns[0]!;

  // 5. The small model: 4 contributions, publish → verified.
  const smallDataset = await collectDataset(attestor.chain, attestor.store, chainId, startBlock, { datanets: [smallDatanet] });
  if (smallDataset.manifest.leaves.length !== SMALL_DATASET)
    throw new Error(`small dataset: ${smallDataset.manifest.leaves.length} leaves, expected ${SMALL_DATASET}`);
  started = performance.now();
  const smallPublished = await publish(smallDataset.manifest, "tiny/bench-4");
  await verified(smallPublished.modelId, `model ${smallPublished.modelId} (4 leaves)`);
  const publishToVerified4 = ms(started);
  const smallGas = Number((await chain.publicClient.getTransactionReceipt({ hash: smallPublished.txHash })).gasUsed);
  log(`publish → verified, 4 leaves: ${publishToVerified4.toFixed(0)} ms`);

  const verifyBest = Math.min(...verifyRuns);
  const fetchBest = Math.min(...fetchRuns);
  const results = {
    verify_ms_1000: round(verifyBest),
    verify_ms_1000_runs: verifyRuns.map((t) => round(t)),
    register_gas: registerGas,
    publish_to_verified_ms: round(publishToVerified4),
    publish_to_verified_ms_1000: round(publishToVerified1000),
    collect_dataset_ms_1000: round(collectMs),
    fetch_sha256_ms_1000: round(fetchBest),
    fetch_sha256_ms_1000_runs: fetchRuns.map((t) => round(t)),
    verify_over_fetch: round(verifyBest / fetchBest, 2),
    publish_ms_1000: round(publishMs),
    register_gas_4: smallGas,
    contributions: big.length,
    small_dataset: SMALL_DATASET,
    adapter_bytes: ADAPTER_BYTES,
    concurrency: CONCURRENCY,
    total_seconds: round(ms(began) / 1000, 1),
  };

  const N = big.length.toLocaleString("en-US");
  const rows: [keyof typeof results, string][] = [
    [
      "verify_ms_1000",
      `verifyModel, model with ${N} Accepted contributions, gateway = the attestor, fastest of ${VERIFY_RUNS} (${results.verify_ms_1000_runs.join(", ")})`,
    ],
    ["register_gas", `gasUsed of publishModel's registerModel transaction (${N}-leaf model, the registry's first)`],
    ["publish_to_verified_ms", `publishModel (64 KB random adapter, ${SMALL_DATASET}-leaf dataset) → verifyModel ok`],
    ["publish_to_verified_ms_1000", `the same with the ${N}-leaf dataset (publish + first verify run)`],
    ["collect_dataset_ms_1000", `collectDataset over the ${N} contributions`],
    [
      "fetch_sha256_ms_1000",
      `baseline: plain fetch + SHA-256 of the same ${N} CIDs, same gateway, ${CONCURRENCY} at once, fastest of ${VERIFY_RUNS}`,
    ],
    ["verify_over_fetch", "verify_ms_1000 / fetch_sha256_ms_1000"],
  ];
  console.log("| key | what | value |\n|---|---|---:|");
  for (const [key, what] of rows) console.log(`| ${key} | ${what} | ${(results[key] as number).toLocaleString("en-US")} |`);
  console.log(
    `\nregisterModel gas, 4-leaf model (the registry's second): ${smallGas.toLocaleString("en-US")}. publishModel alone, ${N} leaves: ${results.publish_ms_1000} ms. Whole run: ${results.total_seconds} s.`,
  );
  if (args.json) console.log(JSON.stringify(results));
}

await runBench(main);
