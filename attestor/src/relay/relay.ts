/**
 * The verdict relay: a persistent queue of signed verdicts (the automatic validator's and humans'),
 * sent to `ContributionLedger.submitVerdicts` in batches (when `maxBatch` are waiting, or when the oldest
 * has waited `maxWaitMs`). Crash-safe and idempotent:
 *  - a verdict is one row per (contribution, validator): the same verdict twice is one row;
 *  - a batch's transaction is signed and stored, with its rows marked, before it is broadcast; after a
 *    restart the same bytes are broadcast again, so a batch is never sent as two different transactions;
 *  - before each batch every verdict is re-checked against the chain (already counted, expired), and a
 *    batch that would revert is simulated first and the offending verdict taken out;
 *  - RPC faults (the node down or restarting) leave everything in place and are retried with backoff.
 */
import { Status } from "@provena/common/codes";
import { contributionLedgerAbi } from "@provena/common/generated/abis";
import {
  BaseError,
  ContractFunctionRevertedError,
  createWalletClient,
  encodeFunctionData,
  http,
  keccak256,
  type Address,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { ChainView } from "../chain.js";
import { transaction, type Db } from "../db.js";
import { fail } from "../errors.js";
import { checkSignedVerdict, MIN_DEADLINE_MARGIN_SECONDS, type SignedVerdict } from "./check.js";
import { backgroundLoop } from "../loop.js";

export type RelayOptions = {
  db: Db;
  chain: ChainView;
  chainId: number;
  rpcUrl: string;
  relayerKey: Hex;
  maxBatch: number;
  maxWaitMs: number;
  retryMs: number;
  log?: (line: string) => void;
};

type Row = {
  contribution: Hex;
  validator: Address;
  accept: number;
  score: number;
  reason: number;
  deadline: string;
  signature: Hex;
  received_at: number;
};

/** Contract errors that name one verdict of the batch: (id, validator) or (id, …). */
const VERDICT_ERRORS = new Set([
  "InvalidSignature",
  "AlreadyVoted",
  "VerdictExpired",
  "UnknownContribution",
  "InvalidScore",
  "NotValidator",
]);

const toSigned = (row: Row): SignedVerdict => ({
  verdict: {
    contribution: row.contribution,
    accept: row.accept === 1,
    score: row.score,
    reason: row.reason,
    deadline: BigInt(row.deadline),
  },
  validator: row.validator,
  signature: row.signature,
});

export function createRelay(options: RelayOptions) {
  const { db, chain } = options;
  const log = options.log ?? ((line: string) => console.error(`relay: ${line}`));
  const account = privateKeyToAccount(options.relayerKey);
  const wallet = createWalletClient({ account, chain: chain.chain, transport: http(options.rpcUrl, { retryCount: 0 }) });
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const findRow = db.prepare("SELECT signature, state, error, tx_hash FROM verdict WHERE contribution = ? AND validator = ?");
  const insertRow = db.prepare(
    `INSERT OR IGNORE INTO verdict (contribution, validator, accept, score, reason, deadline, signature, state, received_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
  );
  const setState = db.prepare(
    "UPDATE verdict SET state = ?, error = ?, tx_hash = ?, updated_at = ?, attempts = attempts + ? WHERE contribution = ? AND validator = ?",
  );

  // `tick` (below) runs only once `start` is called; a verdict arriving cuts the idle wait short.
  const loop = backgroundLoop({ tick, idleMs: Math.max(50, Math.min(options.maxWaitMs, 1_000)), retryMs: options.retryMs, log });

  const insert = (signed: SignedVerdict) => {
    const { verdict } = signed;
    const at = Date.now();
    insertRow.run(
      verdict.contribution,
      signed.validator,
      verdict.accept ? 1 : 0,
      verdict.score,
      verdict.reason,
      verdict.deadline.toString(),
      signed.signature,
      at,
      at,
    );
    loop.wake();
  };

  /** A human validator's verdict: checked against the chain, then queued. Sending the same verdict again is harmless. */
  async function submit(signed: SignedVerdict) {
    const existing = findRow.get(signed.verdict.contribution, signed.validator) as { signature: Hex; state: string } | undefined;
    if (existing) {
      if (existing.signature.toLowerCase() === signed.signature.toLowerCase()) return { state: existing.state, duplicate: true };
      fail("conflict", "already_queued", `a different verdict of ${signed.validator} on ${signed.verdict.contribution} is already queued`);
    }
    await checkSignedVerdict(chain, options.chainId, signed, nowSeconds());
    insert(signed);
    return { state: "queued", duplicate: false };
  }

  /** The automatic validator's own verdict (signed here, so only the queue's idempotence applies). */
  const enqueueOwn = (signed: SignedVerdict) => insert(signed);

  const status = (contribution: Hex) =>
    db
      .prepare("SELECT validator, accept, score, reason, state, error, tx_hash AS txHash FROM verdict WHERE contribution = ?")
      .all(contribution.toLowerCase());

  const mark = (
    rows: { contribution: Hex; validator: Address }[],
    state: string,
    error: string | null,
    txHash: string | null,
    attempt = 0,
  ) => {
    const at = Date.now();
    for (const row of rows) setState.run(state, error, txHash, at, attempt, row.contribution, row.validator);
  };

  /** Settles a stored transaction: mined (its rows done), reverted or dropped (its rows queued again). */
  async function settle(hash: Hex, raw: Hex): Promise<void> {
    const rows = db.prepare("SELECT contribution, validator FROM verdict WHERE tx_hash = ? AND state = 'sent'").all(hash) as {
      contribution: Hex;
      validator: Address;
    }[];
    let receipt = await chain.client.getTransactionReceipt({ hash }).catch(() => undefined);
    if (!receipt) {
      try {
        await chain.client.sendRawTransaction({ serializedTransaction: raw });
      } catch (error) {
        const message = (error as Error).message;
        if (/nonce too low|nonce has already been used/i.test(message)) {
          receipt = await chain.client.getTransactionReceipt({ hash }).catch(() => undefined);
          if (!receipt) {
            transaction(db, () => {
              db.prepare("UPDATE relay_tx SET state = 'dropped' WHERE hash = ?").run(hash);
              mark(rows, "queued", "transaction replaced", null);
            });
            return;
          }
        } else if (!/already known|known transaction/i.test(message)) {
          throw error; // the node is unreachable or refused it for now: retry later with the same bytes
        }
      }
      receipt ??= await chain.client.waitForTransactionReceipt({ hash, timeout: 60_000, pollingInterval: 200 });
    }
    const ok = receipt.status === "success";
    transaction(db, () => {
      db.prepare("UPDATE relay_tx SET state = ? WHERE hash = ?").run(ok ? "mined" : "reverted", hash);
      if (ok) mark(rows, "done", null, hash);
      else mark(rows, "queued", `transaction ${hash} reverted`, null, 1);
    });
    log(`${hash} ${ok ? "mined" : "reverted"} with ${rows.length} verdicts`);
  }

  /** Drops what the chain already counts or no longer accepts; returns the rows still worth sending. */
  async function recheck(rows: Row[]): Promise<Row[]> {
    const keep: Row[] = [];
    for (const row of rows) {
      if (BigInt(row.deadline) < BigInt(nowSeconds() + MIN_DEADLINE_MARGIN_SECONDS)) {
        mark([row], "failed", "VerdictExpired: the deadline passed before it could be sent", null);
        continue;
      }
      const contribution = await chain.contribution(row.contribution);
      if (contribution.status !== Status.Pending || (await chain.hasVoted(row.contribution, row.validator))) {
        mark([row], "done", contribution.status === Status.Pending ? "already counted on chain" : "contribution already final", null);
        continue;
      }
      keep.push(row);
    }
    return keep;
  }

  /** Simulates the batch; takes out any verdict the contract names in a revert, until it passes. */
  async function simulate(rows: Row[]): Promise<Row[]> {
    let batch = rows;
    while (batch.length > 0) {
      try {
        await chain.client.simulateContract({ account, ...chain.ledger, functionName: "submitVerdicts", args: [batch.map(toSigned)] });
        return batch;
      } catch (error) {
        const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
        const name = reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
        if (!name || !VERDICT_ERRORS.has(name)) throw error;
        const args = (reverted as ContractFunctionRevertedError).data?.args ?? [];
        const id = String(args[0]).toLowerCase();
        const who = typeof args[1] === "string" ? args[1].toLowerCase() : undefined;
        const culprit = batch.find((row) =>
          name === "NotValidator"
            ? row.validator.toLowerCase() === who
            : row.contribution === id && (!who || row.validator.toLowerCase() === who),
        );
        if (!culprit) throw error;
        mark([culprit], name === "AlreadyVoted" ? "done" : "failed", `${name} (simulated)`, null);
        batch = batch.filter((row) => row !== culprit);
      }
    }
    return batch;
  }

  /** One step: settle a stored transaction, else send a batch when one is due. True when it did work. */
  async function tick(): Promise<boolean> {
    const stored = db.prepare("SELECT hash, raw FROM relay_tx WHERE state = 'signed' ORDER BY nonce LIMIT 1").get() as
      | { hash: Hex; raw: Hex }
      | undefined;
    if (stored) {
      await settle(stored.hash, stored.raw);
      return true;
    }
    const queued = db.prepare("SELECT * FROM verdict WHERE state = 'queued' ORDER BY received_at LIMIT ?").all(options.maxBatch) as Row[];
    if (queued.length === 0) return false;
    if (queued.length < options.maxBatch && queued[0]!.received_at + options.maxWaitMs > Date.now()) return false;
    const batch = await simulate(await recheck(queued));
    if (batch.length === 0) return true;

    const data = encodeFunctionData({ abi: contributionLedgerAbi, functionName: "submitVerdicts", args: [batch.map(toSigned)] });
    const nonce = await chain.client.getTransactionCount({ address: account.address, blockTag: "pending" });
    const request = await wallet.prepareTransactionRequest({ to: chain.ledger.address, data, nonce, chain: chain.chain });
    const raw = await wallet.signTransaction(request);
    const hash = keccak256(raw);
    transaction(db, () => {
      db.prepare("INSERT INTO relay_tx (hash, raw, nonce, state, created_at) VALUES (?, ?, ?, 'signed', ?)").run(
        hash,
        raw,
        nonce,
        Date.now(),
      );
      mark(batch, "sent", null, hash, 1);
    });
    log(`sending ${batch.length} verdicts in ${hash}`);
    await settle(hash, raw);
    return true;
  }

  /** Verdicts not yet counted on chain: queued, or in a transaction not yet mined. */
  const pending = () => (db.prepare("SELECT COUNT(*) AS n FROM verdict WHERE state IN ('queued', 'sent')").get() as { n: number }).n;

  return { address: account.address, submit, enqueueOwn, status, pending, start: loop.start, stop: loop.stop, tick };
}

export type Relay = ReturnType<typeof createRelay>;
