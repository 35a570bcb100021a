/**
 * The attestor's one transaction sender (attestor/runtime/src/outbox) against a real Hardhat node: the
 * verdict relay's batches and model publishing interleaved from one key get consecutive nonces in
 * order, none twice; a relay and outbox stopped with calls queued, signed and dropped from the node's
 * pool are restarted on the same database and every call is mined once; a stuck transaction is replaced
 * with higher fees within the cap; a nonce taken by another sender of the key is re-synced; the bounds.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "@provena/common/node";
import { contributionLedgerAbi, modelRegistryAbi, signedVerdict, Reason } from "@provena/common";
import { parseEther, toHex, type Address, type Hex, type PrivateKeyAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { openDb, type Db } from "../../attestor/runtime/src/db.js";
import { buildManifest } from "../../attestor/factory/src/provenance/manifest.js";
import { publishModel } from "../../attestor/factory/src/provenance/publish.js";
import { OutboxFullError } from "../../attestor/runtime/src/outbox/errors.js";
import type { OutboxParameters } from "../../attestor/runtime/src/outbox/outbox.js";
import { openStore, type ContentStore } from "../../attestor/runtime/src/storage/index.js";
import { startProxy } from "../helpers/proxy.js";
import { admin, startChain, type Chain } from "../helpers/stack.js";
import { relayStack } from "../helpers/relay.js";
import { until } from "../helpers/until.js";

describe("the outbox: one transaction sender for the relay and publishing", () => {
  let chain: Chain;
  let store: ContentStore;
  let stateDir: string;
  let owner: PrivateKeyAccount, alice: PrivateKeyAccount, human: PrivateKeyAccount;
  let datanetId: bigint;
  let models = 0;

  const ledger = () => chain.deployment.contracts.ContributionLedger.address;
  const registry = () => chain.deployment.contracts.ModelRegistry.address;
  /** A funded key that holds ATTESTOR_ROLE: it signs model records and pays for everything. */
  const attestorKey = async () => {
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    await chain.testClient.setBalance({ address: account.address, value: parseEther("100") });
    const role = await chain.publicClient.readContract({ address: registry(), abi: modelRegistryAbi, functionName: "ATTESTOR_ROLE" });
    await chain.wait(
      await chain
        .wallet(admin)
        .writeContract({ address: registry(), abi: modelRegistryAbi, functionName: "grantRole", args: [role, account.address] }),
    );
    return account;
  };
  /** Signed verdicts accepting `count` new contributions (quorum 1). */
  const verdicts = async (count: number) => {
    const ids = await chain.contribute(alice, datanetId, count);
    const deadline = BigInt((await chain.publicClient.getBlock()).timestamp) + 3_600n;
    const signed = await Promise.all(
      ids.map((contribution) =>
        signedVerdict(human, chain.deployment.chainId, ledger(), {
          contribution,
          accept: true,
          score: 90,
          reason: Reason.Accepted,
          deadline,
        }),
      ),
    );
    return { ids, signed };
  };
  const votes = async (ids: Hex[]) =>
    (await chain.publicClient.getContractEvents({ address: ledger(), abi: contributionLedgerAbi, eventName: "VoteCast", fromBlock: 0n }))
      .filter((e) => ids.includes(e.args.id!))
      .map((e) => e.args.id!);
  /** Every transaction `from` sent, as the chain has them: hash and nonce, in block order. */
  const sentBy = async (from: Address) => {
    const latest = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const out: { hash: Hex; nonce: number; to: Address | null }[] = [];
    for (let n = 0n; n <= latest; n++) {
      const block = await chain.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      for (const tx of block.transactions)
        if (tx.from.toLowerCase() === from.toLowerCase()) out.push({ hash: tx.hash, nonce: tx.nonce, to: tx.to });
    }
    return out;
  };
  const publishInput = (creator: Address) => {
    const adapter = new TextEncoder().encode(`adapter ${++models} ${Date.now()}`);
    const leaf = { contribution: toHex(models, { size: 32 }), sha256: sha256(adapter), datanetId: "1", cid: "bafk", size: 1, type: "txt" };
    const manifest = buildManifest({ chainId: chain.deployment.chainId, ledger: ledger(), datasetBlock: 1, datanets: ["1"] }, [leaf]);
    return {
      baseModel: { name: "tiny/gpt2", weightsHash: sha256(new TextEncoder().encode("weights")) },
      adapter,
      training: {},
      metrics: {},
      manifest,
      creator,
    };
  };
  const sendingStack = (db: Db, account: PrivateKeyAccount, rpcUrl = chain.rpcUrl, options: Partial<OutboxParameters> = {}) => {
    const { view, outbox, relay } = relayStack(chain, db, account, { rpcUrl, maxBatch: 2, outbox: options });
    const publish = (creator: Address) =>
      publishModel(
        { chain: view, store, chainId: chain.deployment.chainId, registry: registry(), attestor: account, outbox },
        publishInput(creator),
      );
    return { view, outbox, relay, publish };
  };
  const rowsOf = (db: Db) =>
    db.prepare("SELECT id, label, state, nonce, hash, bumps, max_fee FROM outbox_tx ORDER BY id").all() as {
      id: number;
      label: string;
      state: string;
      nonce: number;
      hash: Hex;
      bumps: number;
      max_fee: string;
    }[];

  before(async () => {
    chain = await startChain();
    [owner, alice, human] = await Promise.all([chain.account(), chain.account(), chain.account()]);
    datanetId = await chain.createDatanet(owner, [human], 1, 0);
    stateDir = mkdtempSync(join(tmpdir(), "provena-outbox-"));
    store = await openStore({ heliaDir: join(stateDir, "ipfs") });
  });
  after(async () => {
    await store?.close();
    await chain?.testClient.setAutomine(true).catch(() => undefined);
    await chain?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test("relay batches and model registrations from one key get consecutive nonces in enqueue order, each mined once", async () => {
    const account = await attestorKey();
    const db = openDb(join(stateDir, "interleaved.db"));
    const { outbox, relay, publish } = sendingStack(db, account);
    const first = await chain.publicClient.getTransactionCount({ address: account.address });
    outbox.start();
    relay.start();
    try {
      const { ids, signed } = await verdicts(6);
      // Interleaved: verdicts arrive while three models are published, all through the same outbox.
      const publishing = [publish(alice.address), publish(alice.address), publish(alice.address)];
      for (const verdict of signed) await relay.submit(verdict);
      const published = await Promise.all(publishing);
      await until("every vote", async () => (await votes(ids)).length === ids.length);
      await until("the relay's queue drained", () => relay.pending() === 0);

      const rows = rowsOf(db);
      assert.ok(
        rows.every((row) => row.state === "mined"),
        JSON.stringify(rows),
      );
      assert.deepEqual(new Set(rows.map((r) => r.label)), new Set(["registerModel", "submitVerdicts"]));
      assert.equal(rows.filter((r) => r.label === "registerModel").length, 3);
      assert.deepEqual(
        rows.map((r) => r.nonce),
        rows.map((_r, i) => first + i),
        "nonces consecutive from the chain's, in enqueue order",
      );
      const onChain = await sentBy(account.address);
      assert.equal(onChain.length, rows.length, "nothing sent twice, nothing else sent");
      assert.deepEqual(onChain.map((tx) => tx.hash).sort(), rows.map((r) => r.hash).sort());
      assert.deepEqual(
        onChain.map((tx) => tx.nonce),
        rows.map((r) => r.nonce),
      );
      // The callers' shapes: publish returns the mined hash and the model; the relay's verdicts are done in their batch's tx.
      for (const model of published) {
        assert.ok(rows.some((r) => r.hash === model.txHash && r.label === "registerModel"));
        const stored = await chain.publicClient.readContract({
          address: registry(),
          abi: modelRegistryAbi,
          functionName: "getModel",
          args: [model.modelId],
        });
        assert.equal(stored.attestor, account.address);
      }
      assert.equal(new Set(await votes(ids)).size, ids.length, "each vote once");
      const status = relay.status(ids[0]!) as { state: string; txHash: Hex }[];
      assert.deepEqual(
        status.map((s) => s.state),
        ["done"],
      );
      assert.ok(rows.some((r) => r.hash === status[0]!.txHash && r.label === "submitVerdicts"));
      const relayTx = db.prepare("SELECT state FROM relay_tx WHERE hash = ?").get(status[0]!.txHash) as { state: string };
      assert.equal(relayTx.state, "mined");
    } finally {
      await relay.stop();
      await outbox.stop();
      db.close();
    }
  });

  test("stopped with calls queued, signed and dropped by the node: after a restart on the same database each is mined once", async () => {
    const account = await attestorKey();
    const path = join(stateDir, "restart.db");
    const url = new URL(chain.rpcUrl);
    const proxy = await startProxy({ host: url.hostname, port: Number(url.port) });
    const first = await chain.publicClient.getTransactionCount({ address: account.address });
    const { ids, signed } = await verdicts(2);

    let db = openDb(path);
    let stack = sendingStack(db, account, proxy.url());
    stack.outbox.start();
    await chain.testClient.setAutomine(false);
    let pendingPublish: Promise<unknown> | undefined;
    try {
      // One batch of both verdicts, signed and broadcast, then lost by the node: only the outbox's stored bytes are left.
      for (const verdict of signed) await stack.relay.submit(verdict);
      stack.relay.start();
      await until("the batch signed", () => rowsOf(db).some((r) => r.state === "sent"));
      pendingPublish = stack.publish(alice.address).catch((error: unknown) => error);
      await until("both signed", () => rowsOf(db).filter((r) => r.state === "sent").length === 2);
      const lost = rowsOf(db)[0]!;
      await chain.testClient.dropTransaction({ hash: lost.hash });
      // Queued while the node cannot be reached: no nonce yet.
      await proxy.down();
      stack.outbox.enqueue({ to: owner.address, data: "0x", label: "ping" });
      stack.outbox.enqueue({ to: owner.address, data: "0x", label: "ping" });
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await stack.relay.stop();
      await stack.outbox.stop();
      db.close();
    }
    assert.ok((await pendingPublish) instanceof Error, "the publish waiting in the stopped outbox is told so");
    db = openDb(path);
    assert.deepEqual(
      rowsOf(db).map((r) => `${r.label}:${r.state}`),
      ["submitVerdicts:sent", "registerModel:sent", "ping:queued", "ping:queued"],
    );
    assert.equal((await votes(ids)).length, 0);

    await proxy.up();
    // A block every 100 ms rather than one per transaction, so the node holds each nonce until its turn.
    const miner = setInterval(() => void chain.testClient.mine({ blocks: 1 }).catch(() => undefined), 100);
    stack = sendingStack(db, account, proxy.url(), { stuckMs: 2_000 });
    stack.outbox.start();
    stack.relay.start();
    try {
      await until("every call mined", () => rowsOf(db).every((r) => r.state === "mined"));
      await until("the verdicts done", () => stack.relay.pending() === 0);
      const rows = rowsOf(db);
      const onChain = await sentBy(account.address);
      assert.equal(onChain.length, 4, "each call once");
      assert.deepEqual(onChain.map((tx) => tx.nonce).sort(), [first, first + 1, first + 2, first + 3]);
      assert.deepEqual(onChain.map((tx) => tx.hash).sort(), rows.map((r) => r.hash).sort());
      assert.equal(new Set(await votes(ids)).size, 2);
      assert.equal((await votes(ids)).length, 2, "each vote once");
    } finally {
      await stack.relay.stop();
      await stack.outbox.stop();
      db.close();
      await proxy.down();
      clearInterval(miner);
      await chain.testClient.setAutomine(true);
    }
  });

  test("a stuck transaction is replaced with higher fees, never past the cap, and mined once", async () => {
    const account = await attestorKey();
    const db = openDb(join(stateDir, "stuck.db"));
    const fees = await chain.publicClient.estimateFeesPerGas();
    const cap = fees.maxFeePerGas * 2n;
    const { outbox } = sendingStack(db, account, chain.rpcUrl, { stuckMs: 150, bumpPercent: 25, maxFeePerGas: cap });
    await chain.testClient.setAutomine(false);
    outbox.start();
    try {
      const id = outbox.enqueue({ to: owner.address, data: "0x", label: "ping" });
      await until("a few replacements", () => outbox.outcome(id).bumps >= 3, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 800)); // long enough to bump past the cap, if it would
      const versions = db.prepare("SELECT hash FROM outbox_attempt WHERE tx = ?").all(id) as { hash: Hex }[];
      const row = rowsOf(db)[0]!;
      assert.ok(BigInt(row.max_fee) <= cap, `${row.max_fee} > ${cap}`);
      assert.equal(versions.length, row.bumps + 1);
      assert.ok(row.bumps <= 4, `at most log_1.25(2) + 1 bumps, not ${row.bumps}`);
      await chain.testClient.setAutomine(true);
      await chain.testClient.mine({ blocks: 1 });
      const mined = await outbox.wait(id, { timeoutMs: 10_000 });
      assert.equal(mined.state, "mined");
      const onChain = await sentBy(account.address);
      assert.equal(onChain.length, 1, "one of the versions, once");
      assert.equal(onChain[0]!.hash, mined.hash);
      assert.ok(versions.some((v) => v.hash === mined.hash));
    } finally {
      await chain.testClient.setAutomine(true);
      await outbox.stop();
      db.close();
    }
  });

  test("fees the node refuses are raised at once; refused even at the cap, the call fails by name and gives its nonce back", async () => {
    const account = await attestorKey();
    const db = openDb(join(stateDir, "underpriced.db"));
    const lines: string[] = [];
    // The base fee jumps in the next block: the estimate, from the last one, is refused as too low.
    const estimate = await chain.publicClient.estimateFeesPerGas();
    await chain.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: estimate.maxFeePerGas * 3n });
    const first = sendingStack(db, account, chain.rpcUrl, { stuckMs: 60_000, log: (line) => lines.push(line) });
    first.outbox.start();
    try {
      const landed = await first.outbox.wait(first.outbox.enqueue({ to: owner.address, data: "0x", label: "ping" }), { timeoutMs: 10_000 });
      assert.equal(landed.state, "mined", "sent again at once, not after stuckMs (60 s)");
      assert.ok(landed.bumps >= 1);
      assert.ok(
        lines.some((line) => /fees refused by the node, sent again/.test(line)),
        lines.join("\n"),
      );
    } finally {
      await first.outbox.stop();
    }

    // An operator's cap below the base fee: every call is refused at the cap.
    const base = (await chain.publicClient.getBlock()).baseFeePerGas!;
    const capped = sendingStack(db, account, chain.rpcUrl, { maxFeePerGas: base / 2n, log: () => {} });
    capped.outbox.start();
    let nonceBefore: number;
    try {
      nonceBefore = await chain.publicClient.getTransactionCount({ address: account.address });
      const ids = [
        capped.outbox.enqueue({ to: owner.address, data: "0x", label: "ping" }),
        capped.outbox.enqueue({ to: owner.address, data: "0x", label: "ping" }),
      ];
      for (const id of ids) {
        const refused = await capped.outbox.wait(id, { timeoutMs: 10_000 });
        assert.equal(refused.state, "failed");
        assert.match(refused.error!, /ping was refused for its fees even at the cap of \d+ wei per gas: .*too low/);
        assert.equal(refused.nonce, null);
      }
    } finally {
      await capped.outbox.stop();
    }
    // The cap raised: the next call takes the nonce the refused ones gave back.
    const raised = sendingStack(db, account, chain.rpcUrl, { log: () => {} });
    raised.outbox.start();
    try {
      const next = await raised.outbox.wait(raised.outbox.enqueue({ to: owner.address, data: "0x", label: "ping" }), { timeoutMs: 10_000 });
      assert.equal(next.state, "mined");
      assert.equal(next.nonce, nonceBefore);
    } finally {
      await raised.outbox.stop();
      db.close();
    }
  });

  test("a nonce taken by another sender of the same key is re-synced; bounds on pending calls and gas refuse by name", async () => {
    const account = await attestorKey();
    const db = openDb(join(stateDir, "bounds.db"));
    const lines: string[] = [];
    const { outbox } = sendingStack(db, account, chain.rpcUrl, { maxPending: 2, gasCap: 100_000n, log: (line) => lines.push(line) });
    outbox.start();
    try {
      const warm = outbox.enqueue({ to: owner.address, data: "0x", label: "ping" });
      await outbox.wait(warm, { timeoutMs: 10_000 });
      // The same key used elsewhere, behind the outbox's back: its stored next nonce is now taken.
      await chain.wait(await chain.wallet(account).sendTransaction({ to: owner.address, value: 1n }));
      const after = await outbox.wait(outbox.enqueue({ to: owner.address, data: "0x", label: "ping" }), { timeoutMs: 10_000 });
      assert.equal(after.state, "mined");
      assert.equal(after.nonce, outbox.outcome(warm).nonce! + 2);
      assert.ok(
        lines.some((line) => /nonce \d+ was taken by another transaction/.test(line)),
        lines.join("\n"),
      );
      assert.ok(!lines.some((line) => /retrying/.test(line)), "re-synced at once, not after a failed step");

      // A call over its gas bound fails unsent, and its nonce goes to the next call.
      const heavy = await outbox.wait(outbox.enqueue({ to: owner.address, data: "0x1234", label: "ping", gasLimit: 21_000n }), {
        timeoutMs: 10_000,
      });
      assert.equal(heavy.state, "failed");
      assert.match(heavy.error!, /needs \d+ gas, more than its bound of 21000/);
      assert.equal(heavy.nonce, null);
      const next = await outbox.wait(outbox.enqueue({ to: owner.address, data: "0x", label: "ping" }), { timeoutMs: 10_000 });
      assert.equal(next.nonce, after.nonce! + 1);

      await outbox.stop();
      outbox.enqueue({ to: owner.address, data: "0x" });
      outbox.enqueue({ to: owner.address, data: "0x" });
      assert.throws(
        () => outbox.enqueue({ to: owner.address, data: "0x" }),
        (error: unknown) => error instanceof OutboxFullError && error.details.maxPending === 2,
      );
    } finally {
      await outbox.stop();
      db.close();
    }
  });
});
