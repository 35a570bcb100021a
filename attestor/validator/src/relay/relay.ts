/**
 * The verdict relay: a persistent queue of signed verdicts (the automatic validator's and humans'),
 * sent to `ContributionLedger.submitVerdicts` in batches (when `maxBatch` are waiting, or when the oldest
 * has waited `maxWaitMs`). Crash-safe and idempotent:
 *  - a verdict is one row per (contribution, validator): the same verdict twice is one row;
 *  - a batch is handed to the attestor's outbox (`runtime/outbox`), which sends every transaction of its
 *    key, in the same database transaction as its rows are marked sent; the outbox never sends a call
 *    twice, and after a restart the relay waits for the outcome of the batch it handed over;
 *  - before each batch every verdict is re-checked against the chain (already counted, expired), and the
 *    batch is simulated at the real fees and within its gas budget (`plan.ts`), the offending verdict
 *    taken out of one that would revert;
 *  - a batch the chain refuses all the same (a contract wallet whose answer changed in between) is split:
 *    its verdicts go in ever smaller batches, and one refused alone is dropped (`failed`), so a poisoned
 *    verdict never holds the others for more than a few transactions;
 *  - RPC faults (the node down or restarting) leave everything in place and are retried with backoff.
 */
import { Status } from "@provena/common";
import { BaseError, ContractFunctionRevertedError, type Address, type Hex } from "viem";
import { type ChainView, transaction, type Db, fail, backgroundLoop, isFinal, type Outbox, refusedByChain } from "@provena/runtime";
import { checkSignedVerdict, MIN_DEADLINE_MARGIN_SECONDS, type SignedVerdict, withV27 } from "./check.js";
import { batchGasBudget, batchSizeAfter, maxFailuresFor } from "./plan.js";

export type RelayOptions = {
  db: Db;
  chain: ChainView;
  chainId: number;
  /** Sends the batches (from the relayer's key). */
  outbox: Outbox;
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
  failures: number;
};

/**
 * A verdict sent again after a refused batch is linked to each batch it was in; only its latest one speaks
 * for it (`b` is the `relay_batch` row in question).
 */
const LATEST_BATCH = `NOT EXISTS (SELECT 1 FROM relay_batch later WHERE later.contribution = b.contribution
  AND later.validator = b.validator AND later.outbox_id > b.outbox_id)`;

/** Contract errors that name one verdict of the batch: (id, validator) or (id, …). */
const VERDICT_ERRORS = new Set(["InvalidSignature", "VerdictExpired", "UnknownContribution", "InvalidScore", "NotValidator"]);

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
  const { outbox } = options;
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const findRow = db.prepare("SELECT signature, state, error, tx_hash FROM verdict WHERE contribution = ? AND validator = ?");
  const insertRow = db.prepare(
    `INSERT OR IGNORE INTO verdict (contribution, validator, accept, score, reason, deadline, signature, state, received_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
  );
  const replaceFailed = db.prepare("DELETE FROM verdict WHERE contribution = ? AND validator = ? AND state = 'failed'");
  const setState = db.prepare(
    "UPDATE verdict SET state = ?, error = ?, tx_hash = ?, updated_at = ?, attempts = attempts + ? WHERE contribution = ? AND validator = ?",
  );

  const refused = db.prepare(
    `UPDATE verdict SET failures = failures + 1, state = CASE WHEN failures + 1 >= ? THEN 'failed' ELSE 'queued' END,
       error = ?, tx_hash = NULL, updated_at = ? WHERE contribution = ? AND validator = ?`,
  );
  const maxFailures = maxFailuresFor(options.maxBatch);
  /** After a batch failed for a reason of no verdict's making (fees, the node), the next waits `retryMs`. */
  let holdUntil = 0;

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

  /** Equal, counting a 65-byte signature's v of 0/1 as the 27/28 the relay stores it with. */
  const sameSignature = (a: Hex, b: Hex) => withV27(a) === withV27(b);

  /**
   * A human validator's verdict: checked against the chain, then queued. Sending the same verdict again is
   * harmless; a different one waits for the first, unless the first was dropped (`failed`): a verdict the
   * chain refused never stands in the way of the validator's next one.
   */
  async function submit(signed: SignedVerdict) {
    const existing = findRow.get(signed.verdict.contribution, signed.validator) as { signature: Hex; state: string } | undefined;
    if (existing && sameSignature(existing.signature, signed.signature)) return { state: existing.state, duplicate: true };
    if (existing && existing.state !== "failed")
      fail("conflict", "already_queued", `a different verdict of ${signed.validator} on ${signed.verdict.contribution} is already queued`);
    const { signature } = await checkSignedVerdict(chain, options.chainId, signed, nowSeconds());
    if (existing) replaceFailed.run(signed.verdict.contribution, signed.validator);
    insert({ ...signed, signature });
    return { state: "queued", duplicate: false };
  }

  const replaceSettled = db.prepare("DELETE FROM verdict WHERE contribution = ? AND validator = ? AND state IN ('done', 'failed')");

  /**
   * The automatic validator's own verdict (signed here, so only the queue's idempotence applies). It judges
   * only what the chain shows pending without its vote, so a settled row of the same pair is stale (a reorg
   * took the vote away) and makes way.
   */
  const enqueueOwn = (signed: SignedVerdict) => {
    replaceSettled.run(signed.verdict.contribution, signed.validator);
    insert(signed);
  };

  // A verdict in flight shows its batch's latest signed transaction.
  const status = (contribution: Hex) =>
    db
      .prepare(
        `SELECT v.validator, v.accept, v.score, v.reason, v.state, v.error,
           COALESCE(v.tx_hash, CASE WHEN v.state = 'sent' THEN (
             SELECT o.hash FROM relay_batch b JOIN outbox_tx o ON o.id = b.outbox_id
             WHERE b.contribution = v.contribution AND b.validator = v.validator ORDER BY b.outbox_id DESC LIMIT 1) END) AS txHash
         FROM verdict v WHERE v.contribution = ?`,
      )
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

  /** The batches handed to the outbox whose verdicts still wait for their outcome. */
  const inFlight = () =>
    (
      db
        .prepare(
          `SELECT DISTINCT b.outbox_id AS id FROM relay_batch b
           JOIN verdict v ON v.contribution = b.contribution AND v.validator = b.validator AND v.state = 'sent'
           WHERE ${LATEST_BATCH} ORDER BY b.outbox_id`,
        )
        .all() as { id: number }[]
    ).map(({ id }) => id);

  /** Settles a batch the outbox has finished with: mined (its rows done), reverted or unsent (its rows queued again). */
  function settle(id: number): boolean {
    const outcome = outbox.outcome(id);
    if (!isFinal(outcome.state)) return false;
    const rows = db
      .prepare(
        `SELECT v.contribution, v.validator FROM relay_batch b
         JOIN verdict v ON v.contribution = b.contribution AND v.validator = b.validator AND v.state = 'sent'
         WHERE b.outbox_id = ? AND ${LATEST_BATCH}`,
      )
      .all(id) as { contribution: Hex; validator: Address }[];
    transaction(db, () => {
      if (outcome.state === "mined") mark(rows, "done", null, outcome.hash);
      else if (refusedByChain(outcome)) {
        const why = outcome.state === "reverted" ? `transaction ${outcome.hash} reverted` : outcome.error;
        for (const row of rows) refused.run(maxFailures, `refused by the chain: ${why}`, Date.now(), row.contribution, row.validator);
      } else {
        mark(rows, "queued", outcome.error, null);
        holdUntil = Date.now() + options.retryMs;
      }
    });
    log(`${outcome.hash ?? `batch #${id}`} ${outcome.state} with ${rows.length} verdicts`);
    return true;
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

  /**
   * Simulates the batch as it will be sent (the real fees, so a wallet cannot tell the simulation apart by
   * its gas price; the batch's gas budget); takes out any verdict the contract names in a revert, until it passes.
   */
  async function simulate(rows: Row[]): Promise<Row[]> {
    let batch = rows;
    const { maxFeePerGas, maxPriorityFeePerGas } = await chain.client.estimateFeesPerGas();
    while (batch.length > 0) {
      try {
        await chain.client.simulateContract({
          account: outbox.address,
          ...chain.ledger,
          functionName: "submitVerdicts",
          args: [batch.map(toSigned)],
          gas: batchGasBudget(batch.length),
          maxFeePerGas,
          maxPriorityFeePerGas,
        });
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
        mark([culprit], "failed", `${name} (simulated)`, null);
        batch = batch.filter((row) => row !== culprit);
      }
    }
    return batch;
  }

  /** One step: settle the batch in flight, else hand a batch to the outbox when one is due. True when it did work. */
  async function tick(): Promise<boolean> {
    const sent = inFlight();
    // One batch at a time, as before the outbox: the next one is built once this one's outcome is known.
    if (sent.length > 0) return sent.map(settle).some(Boolean);
    if (Date.now() < holdUntil) return false;
    // The oldest verdict's peers: those refused as often as it was, in batches halved at each refusal.
    const oldest = db.prepare("SELECT failures FROM verdict WHERE state = 'queued' ORDER BY received_at LIMIT 1").get() as
      | { failures: number }
      | undefined;
    if (!oldest) return false;
    const queued = db
      .prepare("SELECT * FROM verdict WHERE state = 'queued' AND failures = ? ORDER BY received_at LIMIT ?")
      .all(oldest.failures, batchSizeAfter(oldest.failures, options.maxBatch)) as Row[];
    if (oldest.failures === 0 && queued.length < options.maxBatch && queued[0]!.received_at + options.maxWaitMs > Date.now()) return false;
    const batch = await simulate(await recheck(queued));
    if (batch.length === 0) return true;

    const id = transaction(db, () => {
      const id = outbox.enqueue({
        to: chain.ledger.address,
        abi: chain.ledger.abi,
        functionName: "submitVerdicts",
        args: [batch.map(toSigned)],
        gasLimit: batchGasBudget(batch.length),
      });
      const link = db.prepare("INSERT INTO relay_batch (outbox_id, contribution, validator) VALUES (?, ?, ?)");
      for (const row of batch) link.run(id, row.contribution, row.validator);
      mark(batch, "sent", null, null, 1);
      return id;
    });
    log(`sending ${batch.length} verdicts as outbox #${id}`);
    return true;
  }

  /** Verdicts not yet counted on chain: queued, or in a transaction not yet mined. */
  const pending = () => (db.prepare("SELECT COUNT(*) AS n FROM verdict WHERE state IN ('queued', 'sent')").get() as { n: number }).n;

  // The batch's outcome wakes the relay at once rather than at its next idle look.
  outbox.onSettled(() => loop.wake());

  return { address: outbox.address, submit, enqueueOwn, status, pending, start: loop.start, stop: loop.stop, tick };
}

export type Relay = ReturnType<typeof createRelay>;
