/**
 * `npm start` as a user runs it: a real node on loopback, Ignition deployment, the deployment file,
 * the demo seed, and a clean stop. And `npm run deploy -- --network l2` configured only by env vars.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http, type Abi, type Address } from "viem";
import { hardhat } from "viem/chains";
import { mnemonicToAccount } from "viem/accounts";
import { Status, type Deployment, contributionLedgerAbi } from "@provena/common";
import { prose } from "../fixtures/prose.js";
import { signIn, upload } from "../helpers/attestor.js";

const root = new URL("../..", import.meta.url).pathname;
const MNEMONIC = "test test test test test test test test test test test junk";

type Started = { child: ChildProcess; output: () => string; dataDir: string; exited: Promise<number | null> };

async function start(args: string[] = []): Promise<Started & { rpcUrl: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "provena-start-"));
  // Node 22 itself (the tests run under it), so that signals reach the stack with no wrapper between.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", ...args], {
    cwd: root,
    env: { ...process.env, PROVENA_RPC_PORT: "0", ATTESTOR_PORT: "0", DOCS_PORT: "0", PROVENA_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 240_000;
  while (!output.includes("Ready.")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      // SIGTERM first, so that the stack stops the indexer it spawned; SIGKILL if it does not exit.
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
      throw new Error(`npm start did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const rpcUrl = /chain\s+31337 at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  assert.ok(rpcUrl, `no loopback RPC URL in:\n${output}`);
  return { child, output: () => output, dataDir, exited, rpcUrl };
}

async function stop(started: Started) {
  started.child.kill("SIGTERM");
  assert.equal(await started.exited, 0, started.output());
  // The indexer it started has stopped with it.
  const indexerUrl = /indexer\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())?.[1];
  if (indexerUrl) await assert.rejects(fetch(`${indexerUrl}/health`), "the indexer outlived npm start");
  const attestorUrl = /attestor\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())?.[1];
  if (attestorUrl) await assert.rejects(fetch(`${attestorUrl}/health`), "the attestor outlived npm start");
  rmSync(started.dataDir, { recursive: true, force: true });
}

const read = (client: ReturnType<typeof createPublicClient>, address: Address, abi: Abi, functionName: string, args: unknown[] = []) =>
  client.readContract({ address, abi, functionName, args });

test("npm start deploys, writes the deployment file, seeds the demo and stops cleanly", { timeout: 360_000 }, async () => {
  const started = await start();
  try {
    const deployment = JSON.parse(readFileSync(join(started.dataDir, "deployment.json"), "utf8")) as Deployment;
    assert.equal(deployment.chainId, 31337);
    assert.equal(deployment.rpcUrl, started.rpcUrl);
    const client = createPublicClient({ transport: http(started.rpcUrl) });
    const { DatanetRegistry: registry, ContributionLedger: ledger } = deployment.contracts;
    assert.ok(((await client.getCode({ address: registry.address })) ?? "0x").length > 2);
    assert.equal(await read(client, ledger.address, ledger.abi, "registry"), registry.address);
    assert.equal(await read(client, registry.address, registry.abi, "datanetCount"), 6n);

    const summary = /(\d+) Datanets, (\d+) contributions \((\d+) accepted, (\d+) rejected, (\d+) pending\)/.exec(started.output());
    assert.ok(summary, started.output());
    const finalized = await client.getContractEvents({
      address: ledger.address,
      abi: ledger.abi,
      eventName: "ContributionFinalized",
      fromBlock: BigInt(deployment.startBlock),
    });
    const statuses = finalized.map((log) => (log.args as { status: number }).status);
    assert.equal(statuses.filter((s) => s === 2).length, Number(summary[3]));
    assert.equal(statuses.filter((s) => s === 3).length, Number(summary[4]));
    assert.ok(Number(summary[4]) > 0 && Number(summary[5]) > 0, "the demo has rejected and pending files too");
    // Every seeded file is stored under its CID for the storage layer to pin.
    const contributed = await client.getContractEvents({
      address: ledger.address,
      abi: ledger.abi,
      eventName: "Contributed",
      fromBlock: 0n,
    });
    const items = contributed.flatMap((log) => (log.args as { items: { size: number }[] }).items);
    assert.equal(items.length, Number(summary[2]));

    // The indexer runs on the chain npm start made, caught up before "Ready.".
    const indexerUrl = /indexer\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())?.[1];
    assert.ok(indexerUrl, `no loopback indexer URL in:\n${started.output()}`);
    const get = async <T>(path: string) => (await (await fetch(`${indexerUrl}${path}`)).json()) as T;
    const { datanets } = await get<{ datanets: { metadataStatus: string; summary: string | null }[] }>("/datanets");
    assert.equal(datanets.length, 6);
    assert.ok(
      datanets.every((d) => d.metadataStatus === "resolved" && d.summary),
      "every demo Datanet's metadata is read from its CID",
    );
    const { entries } = await get<{ entries: { accepted: number; rejected: number; pending: number }[] }>("/leaderboard");
    const total = (key: "accepted" | "rejected" | "pending") => entries.reduce((sum, e) => sum + e[key], 0);
    assert.deepEqual(
      [total("accepted"), total("rejected"), total("pending")],
      [Number(summary[3]), Number(summary[4]), Number(summary[5])],
    );

    // The attestor runs on the same chain, its automatic validator listed on every demo Datanet: before
    // "Ready." it has judged what the seed left pending, and it judges what a user contributes now.
    const attestorUrl = /attestor\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())?.[1];
    assert.ok(attestorUrl, `no loopback attestor URL in:\n${started.output()}`);
    const health = (await (await fetch(`${attestorUrl}/health`)).json()) as {
      validator: Address;
      backlog: { jobs: number; verdicts: number };
    };
    assert.equal(health.validator, mnemonicToAccount(MNEMONIC, { addressIndex: 10 }).address);
    const models = deployment.contracts.ModelRegistry;
    const attestorRole = await read(client, models.address, models.abi, "ATTESTOR_ROLE");
    assert.equal(
      await read(client, models.address, models.abi, "hasRole", [attestorRole, health.validator]),
      true,
      "the attestor may sign model provenance",
    );
    assert.deepEqual([health.backlog.jobs, health.backlog.verdicts], [0, 0]);
    const cooking = 1n; // "Home cooking notes": text, quorum 1
    const contributor = mnemonicToAccount(MNEMONIC, { addressIndex: 12 });
    const uploaded = await upload(
      attestorUrl,
      cooking,
      [{ name: "notes.md", bytes: prose(7) }],
      await signIn(attestorUrl, contributor, 31337),
    );
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    const wallet = createWalletClient({ account: contributor, chain: hardhat, transport: http(started.rpcUrl) });
    await client.waitForTransactionReceipt({
      hash: await wallet.writeContract({
        address: ledger.address,
        abi: contributionLedgerAbi,
        functionName: "contribute",
        args: [cooking, uploaded.body.contribute],
      }),
    });
    const id = uploaded.body.files[0]!.contributionId;
    const end = Date.now() + 30_000;
    while (
      (await client.readContract({ address: ledger.address, abi: contributionLedgerAbi, functionName: "getContribution", args: [id] }))
        .status !== Status.Accepted
    ) {
      assert.ok(Date.now() < end, "the automatic validator did not accept the new contribution in 30 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const assessment = (await (await fetch(`${attestorUrl}/assessments/${id}`)).json()) as {
      accept: boolean;
      score: number;
      explanation: string;
    };
    assert.equal(assessment.accept, true);
    assert.ok(assessment.score >= 50 && assessment.explanation.length > 0, JSON.stringify(assessment));
  } finally {
    await stop(started);
  }
});

test("npm start --no-seed deploys only, and `deploy --network l2` works from env vars alone", { timeout: 360_000 }, async () => {
  const started = await start(["--no-seed"]);
  try {
    const deployment = JSON.parse(readFileSync(join(started.dataDir, "deployment.json"), "utf8")) as Deployment;
    const client = createPublicClient({ transport: http(started.rpcUrl) });
    const registry = deployment.contracts.DatanetRegistry;
    assert.equal(await read(client, registry.address, registry.abi, "datanetCount"), 0n);

    // The node stands in for a remote L2: the `l2` network knows only what the environment says.
    const key = mnemonicToAccount(MNEMONIC, { addressIndex: 9 });
    const out = join(started.dataDir, "l2-deployment.json");
    const deploymentId = `e2e-${process.pid}-${Date.now()}`;
    const deployer = spawn(
      process.execPath,
      ["--import", "tsx", "scripts/deploy.ts", "--network", "l2", "--out", out, "--deployment-id", deploymentId],
      {
        cwd: root,
        env: {
          ...process.env,
          L2_RPC_URL: started.rpcUrl,
          L2_DEPLOYER_KEY: `0x${Buffer.from(key.getHdKey().privateKey!).toString("hex")}`,
          L2_CHAIN_ID: "31337",
          PROVENA_ADMIN: key.address,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let log = "";
    deployer.stdout!.on("data", (c) => (log += c));
    deployer.stderr!.on("data", (c) => (log += c));
    const code = await new Promise<number | null>((resolve) => deployer.on("exit", resolve));
    rmSync(join(root, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    assert.equal(code, 0, log);
    const l2 = JSON.parse(readFileSync(out, "utf8")) as Deployment;
    assert.equal(l2.network, "l2");
    assert.equal(l2.rpcUrl, undefined, "a remote RPC URL may hold a key: it is not written");
    assert.notEqual(l2.contracts.DatanetRegistry.address, registry.address);
    const l2Registry = l2.contracts.DatanetRegistry;
    const governor = await read(client, l2Registry.address, l2Registry.abi, "GOVERNOR_ROLE");
    assert.equal(await read(client, l2Registry.address, l2Registry.abi, "hasRole", [governor, key.address]), true);
  } finally {
    await stop(started);
  }
});
