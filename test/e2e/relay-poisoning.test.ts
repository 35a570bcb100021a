/**
 * Relay poisoning (issue 13, item 2), against a real Hardhat node: a Datanet whose validator is a contract
 * wallet that answers "valid" where the relay checks and "invalid" where the chain counts. A wallet valid only
 * in a zero-priced call is caught by the relay's simulation at the real fees, before anything is sent; a
 * wallet switched off by its owner just ahead of each batch (a front-run, so every simulation passes) makes
 * batches revert: they are split until the poisoned verdict is alone and it is dropped, and the honest
 * verdicts queued behind it land. A wallet that burns gas costs the relayer no more than the batch's budget.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contributionLedgerAbi, Reason, signedVerdict, Status } from "@provena/common";
import type { Abi, Address, Hex, PrivateKeyAccount } from "viem";
import { openDb, type Db } from "../../attestor/runtime/src/db.js";
import type { Outbox } from "../../attestor/runtime/src/outbox/outbox.js";
import { batchGasBudget, maxFailuresFor } from "../../attestor/validator/src/relay/plan.js";
import type { Relay } from "../../attestor/validator/src/relay/relay.js";
import { startChain, type Chain } from "../helpers/stack.js";
import { relayStack } from "../helpers/relay.js";
import { until } from "../helpers/until.js";

const MAX_BATCH = 4;

describe("relay poisoning: a contract wallet that lies to the relay cannot stop honest verdicts", () => {
  let chain: Chain;
  let stateDir: string;
  let owner: PrivateKeyAccount, alice: PrivateKeyAccount, human: PrivateKeyAccount, mallory: PrivateKeyAccount;
  let honestNet: bigint;
  let databases = 0;

  const ledger = () => chain.deployment.contracts.ContributionLedger.address;
  const artifact = (name: string) =>
    JSON.parse(readFileSync(`artifacts/contracts/test/${name}.sol/${name}.json`, "utf8")) as { abi: Abi; bytecode: Hex };
  const deployWallet = async (name: string, args: unknown[]) => {
    const { abi, bytecode } = artifact(name);
    const receipt = await chain.wait(await chain.wallet(mallory).deployContract({ abi, bytecode, args }));
    return receipt.contractAddress!;
  };
  const deadline = async () => BigInt((await chain.publicClient.getBlock()).timestamp) + 3_600n;
  const verdictOn = async (contribution: Hex, signer: PrivateKeyAccount, as?: Address) =>
    signedVerdict(
      signer,
      chain.deployment.chainId,
      ledger(),
      { contribution, accept: true, score: 90, reason: Reason.Accepted, deadline: await deadline() },
      as,
    );
  const statusOf = async (id: Hex) =>
    (await chain.publicClient.readContract({ address: ledger(), abi: contributionLedgerAbi, functionName: "getContribution", args: [id] }))
      .status;
  const rowOf = (db: Db, id: Hex) =>
    db.prepare("SELECT state, error, failures FROM verdict WHERE contribution = ?").get(id) as {
      state: string;
      error: string | null;
      failures: number;
    };

  /** A relay and its outbox on a fresh database, sending from a fresh funded key. */
  const freshRelay = async (): Promise<{ db: Db; outbox: Outbox; relay: Relay; relayer: Address }> => {
    const db = openDb(join(stateDir, `relay-${++databases}.db`));
    const account = await chain.account();
    const { outbox, relay } = relayStack(chain, db, account, { maxBatch: MAX_BATCH });
    return { db, outbox, relay, relayer: account.address };
  };
  /** The relayer's mined transactions to the ledger, with their status and gas. */
  const relayerTransactions = async (relayer: Address, fromBlock: bigint) => {
    const latest = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const found: { status: string; gasUsed: bigint; hash: Hex }[] = [];
    for (let n = fromBlock; n <= latest; n++) {
      const block = await chain.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      for (const tx of block.transactions) {
        if (tx.from.toLowerCase() !== relayer.toLowerCase()) continue;
        const receipt = await chain.publicClient.getTransactionReceipt({ hash: tx.hash });
        found.push({ status: receipt.status, gasUsed: receipt.gasUsed, hash: tx.hash });
      }
    }
    return found;
  };

  before(async () => {
    chain = await startChain();
    [owner, alice, human, mallory] = await Promise.all([chain.account(), chain.account(), chain.account(), chain.account()]);
    honestNet = await chain.createDatanet(owner, [human], 1, 0);
    stateDir = mkdtempSync(join(tmpdir(), "provena-poison-"));
  });
  after(async () => {
    await chain?.testClient.setAutomine(true).catch(() => undefined);
    await chain?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test("a wallet valid only in a zero-priced call: the simulation at real fees drops it before anything is sent", async () => {
    const wallet = await deployWallet("GasPriceWallet", [mallory.address]);
    const poisonNet = await chain.createDatanet(mallory, [{ address: wallet }], 1, 0);
    const [poisoned] = await chain.contribute(alice, poisonNet, 1);
    const honest = await chain.contribute(alice, honestNet, 3);
    const { db, outbox, relay, relayer } = await freshRelay();
    const from = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    // The relay's own check (an eth_call, priced at zero) takes it: only the chain would refuse it.
    assert.equal((await relay.submit(await verdictOn(poisoned!, mallory, wallet))).state, "queued");
    for (const id of honest) await relay.submit(await verdictOn(id, human));
    outbox.start();
    relay.start();
    try {
      await until("the honest verdicts counted", async () => (await Promise.all(honest.map(statusOf))).every((s) => s === Status.Accepted));
      await until("the poisoned verdict dropped", () => rowOf(db, poisoned!).state === "failed");
      assert.match(rowOf(db, poisoned!).error!, /InvalidSignature \(simulated\)/);
      assert.equal(await statusOf(poisoned!), Status.Pending);
      const sent = await relayerTransactions(relayer, from);
      assert.ok(sent.length >= 1 && sent.every((tx) => tx.status === "success"), "no transaction of the relayer reverted");
    } finally {
      await relay.stop();
      await outbox.stop();
      db.close();
    }
  });

  test("a wallet switched off ahead of each batch: batches split, the poisoned verdict is dropped, the honest ones land", async () => {
    const wallet = await deployWallet("SwitchWallet", [mallory.address]);
    const { abi: switchAbi } = artifact("SwitchWallet");
    const poisonNet = await chain.createDatanet(mallory, [{ address: wallet }], 1, 0);
    const [poisoned] = await chain.contribute(alice, poisonNet, 1);
    const honest = await chain.contribute(alice, honestNet, 3);
    const { db, outbox, relay, relayer } = await freshRelay();
    const from = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await relay.submit(await verdictOn(poisoned!, mallory, wallet)); // the oldest: in every first batch
    for (const id of honest) await relay.submit(await verdictOn(id, human));

    await chain.testClient.setAutomine(false);
    outbox.start();
    relay.start();
    const inPool = () =>
      db.prepare("SELECT id FROM outbox_tx WHERE state = 'sent' AND hash IS NOT NULL ORDER BY id DESC LIMIT 1").get() as
        | { id: number }
        | undefined;
    const carriesPoison = (outboxId: number) =>
      Boolean(db.prepare("SELECT 1 FROM relay_batch WHERE outbox_id = ? AND contribution = ?").get(outboxId, poisoned!));
    let attacks = 0;
    try {
      const done = async () =>
        rowOf(db, poisoned!).state === "failed" && (await Promise.all(honest.map(statusOf))).every((s) => s === Status.Accepted);
      for (let round = 0; round < 20 && !(await done()); round++) {
        await until("a batch in the node's pool", () => inPool() !== undefined || rowOf(db, poisoned!).state === "failed", 15_000);
        const batch = inPool();
        if (batch && carriesPoison(batch.id)) {
          // Mallory's switch goes first (a higher tip), and back on after the batch (a lower one), so the
          // relay's next simulation passes again.
          const base = (await chain.publicClient.getBlock({ blockTag: "pending" })).baseFeePerGas!;
          const asMallory = chain.wallet(mallory);
          const nonce = await chain.publicClient.getTransactionCount({ address: mallory.address, blockTag: "pending" });
          const fees = (tip: bigint) => ({ maxFeePerGas: base * 2n + tip, maxPriorityFeePerGas: tip });
          await asMallory.writeContract({
            address: wallet,
            abi: switchAbi,
            functionName: "setOff",
            args: [true],
            nonce,
            gas: 60_000n,
            ...fees(100_000_000_000n),
          });
          await asMallory.writeContract({
            address: wallet,
            abi: switchAbi,
            functionName: "setOff",
            args: [false],
            nonce: nonce + 1,
            gas: 60_000n,
            ...fees(1n),
          });
          attacks++;
        }
        await chain.testClient.mine({ blocks: 1 });
        await until("the batch settled", () => !batch || inPool()?.id !== batch.id, 15_000);
      }
      assert.ok(await done(), "the poisoned verdict dropped and every honest verdict counted");
      const row = rowOf(db, poisoned!);
      assert.match(row.error!, /refused by the chain: transaction 0x[0-9a-f]+ reverted/);
      assert.equal(row.failures, maxFailuresFor(MAX_BATCH));
      const sent = await relayerTransactions(relayer, from);
      const reverted = sent.filter((tx) => tx.status === "reverted");
      assert.equal(reverted.length, maxFailuresFor(MAX_BATCH), "a reverted batch per failure of the poisoned verdict, no more");
      assert.ok(attacks >= reverted.length);
      for (const id of honest) assert.equal(rowOf(db, id).state, "done");
      // Each batch stayed within its gas budget.
      for (const tx of sent) assert.ok(tx.gasUsed <= batchGasBudget(MAX_BATCH), `${tx.gasUsed} gas in ${tx.hash}`);
    } finally {
      await chain.testClient.setAutomine(true);
      await relay.stop();
      await outbox.stop();
      db.close();
    }
  });

  test("a wallet that burns gas in its check: its verdict costs the relayer no more than the batch's budget", async () => {
    const wallet = await deployWallet("GasBurnerWallet", []);
    const burnNet = await chain.createDatanet(mallory, [{ address: wallet }], 1, 0);
    const ids = await chain.contribute(alice, burnNet, 2);
    const { db, outbox, relay, relayer } = await freshRelay();
    const from = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    for (const id of ids) await relay.submit(await verdictOn(id, mallory, wallet));
    outbox.start();
    relay.start();
    try {
      // The wallet answers "valid" once it has burnt the check's allowance: the verdicts count, at a bounded price.
      await until("the burner's verdicts counted", async () => (await Promise.all(ids.map(statusOf))).every((s) => s === Status.Accepted));
      const sent = await relayerTransactions(relayer, from);
      const gas = sent.reduce((sum, tx) => sum + tx.gasUsed, 0n);
      assert.ok(gas <= batchGasBudget(ids.length), `${gas} gas for ${ids.length} verdicts`);
    } finally {
      await relay.stop();
      await outbox.stop();
      db.close();
    }
  });
});
