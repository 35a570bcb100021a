/**
 * The attestor's one transaction sender: an outbox in its database. Callers enqueue a call (a persisted
 * row with an id, in the same SQLite transaction as their own bookkeeping if they like) and await or
 * poll its outcome; one loop per sending key assigns nonces in enqueue order from the outbox's own nonce
 * store (started from the chain's pending nonce), signs, stores the signed bytes before broadcasting
 * them, follows the receipt, and raises the fees of a transaction that stays unmined, within bounds.
 * Crash-safe: after a restart the stored bytes are broadcast again (same nonce, so a call is never mined
 * twice) and queued calls are sent in order; a nonce taken meanwhile by another sender of the same key
 * ("nonce too low", none of our versions known) moves the call to a fresh nonce. A version the node refuses
 * for its fees is signed again at once with higher ones; refused even at the cap, the call fails with the
 * reason and gives its nonce back, so that one call never stalls the ones behind it.
 */
import {
  encodeFunctionData,
  keccak256,
  type Abi,
  type Address,
  type EncodeFunctionDataParameters,
  type Hex,
  type LocalAccount,
  type TransactionReceipt,
} from "viem";
import type { ChainView } from "../chain.js";
import { migrate, transaction, type Db } from "../db.js";
import { backgroundLoop } from "../loop.js";
import { isUnreachable } from "../rpc.js";
import { outboxMigrations } from "./schema.js";
import { OutboxFullError, OutboxStoppedError, OutboxUnknownError, OutboxWaitTimeoutError } from "./errors.js";
import {
  bumpedFees,
  cappedFees,
  gasWithMargin,
  isAlreadyKnown,
  isFeeTooLow,
  isNonceTooLow,
  least,
  raisedFees,
  type Fees,
} from "./rules.js";

export type OutboxParameters = {
  db: Db;
  chain: ChainView;
  /** The key every transaction is sent from. */
  account: LocalAccount;
  /** Calls waiting or in flight, at most; `enqueue` refuses past it. Default 256. */
  maxPending?: number;
  /** Signed and not yet mined at once, at most. Default 16. */
  maxInFlight?: number;
  /** No transaction is signed with more gas than this (a call's own bound may be lower). Default 15,000,000. */
  gasCap?: bigint;
  /** The highest max fee per gas it signs, bumps included. Default 500 gwei. */
  maxFeePerGas?: bigint;
  /** Unmined this long after it was (re)signed, a transaction is replaced with higher fees. Default 30 s. */
  stuckMs?: number;
  /** How much each replacement raises the fees, in percent. Default 20. */
  bumpPercent?: number;
  /** How often in-flight transactions are looked at. Default 200 ms. */
  pollMs?: number;
  retryMs?: number;
  log?: (line: string) => void;
};

/** A call: encoded `data`, or an ABI with a function and its arguments. */
export type EnqueueParameters = {
  to: Address;
  /** The most gas the call may take (clamped to the outbox's cap); a call estimated above it fails unsent. */
  gasLimit?: bigint;
  /** What it is, for logs (default: the function's name). */
  label?: string;
} & ({ data: Hex } | ({ data?: undefined } & EncodeFunctionDataParameters<Abi>));

/** The outbox row's id: what `outcome` and `wait` take. */
export type EnqueueReturnType = number;

export type OutboxState = "queued" | "sent" | "mined" | "reverted" | "failed";

export type Outcome = {
  id: number;
  label: string;
  state: OutboxState;
  nonce: number | null;
  /** The latest signed version while in flight; the mined one once mined or reverted. */
  hash: Hex | null;
  blockNumber: number | null;
  bumps: number;
  error: string | null;
  createdAt: number;
  sentAt: number | null;
};

export type WaitParameters = { timeoutMs?: number; signal?: AbortSignal };

type Row = {
  id: number;
  label: string;
  to_address: Address;
  data: Hex;
  gas_limit: number;
  state: OutboxState;
  nonce: number | null;
  hash: Hex | null;
  gas: number | null;
  max_fee: string | null;
  priority_fee: string | null;
  bumps: number;
  error: string | null;
  block_number: number | null;
  created_at: number;
  sent_at: number | null;
};

const FINAL: readonly OutboxState[] = ["mined", "reverted", "failed"];
export const isFinal = (state: OutboxState) => FINAL.includes(state);

/**
 * Whether the chain refused the call itself: reverted when mined, or failed unsent because its estimate
 * reverted or needed more gas than its bound (the outbox's own messages), rather than for fees or the node.
 */
export const refusedByChain = (outcome: Outcome) =>
  outcome.state === "reverted" || (outcome.state === "failed" && /would revert|more than its bound/.test(outcome.error ?? ""));

const messageOf = (error: unknown) => {
  const e = error as { details?: string; shortMessage?: string; message?: string };
  return [e?.details, e?.shortMessage, e?.message].filter(Boolean).join(" ");
};

const toOutcome = (row: Row): Outcome => ({
  id: row.id,
  label: row.label,
  state: row.state,
  nonce: row.nonce,
  hash: row.hash,
  blockNumber: row.block_number,
  bumps: row.bumps,
  error: row.error,
  createdAt: row.created_at,
  sentAt: row.sent_at,
});

export function createOutbox(parameters: OutboxParameters) {
  const { db, chain, account } = parameters;
  migrate(db, outboxMigrations);
  const sender = account.address.toLowerCase();
  const maxPending = parameters.maxPending ?? 256;
  const maxInFlight = parameters.maxInFlight ?? 16;
  const gasCap = parameters.gasCap ?? 15_000_000n;
  const maxFeePerGas = parameters.maxFeePerGas ?? 500_000_000_000n;
  const stuckMs = parameters.stuckMs ?? 30_000;
  const bumpPercent = parameters.bumpPercent ?? 20;
  const log = parameters.log ?? ((line: string) => console.error(`outbox: ${line}`));
  const chainId = chain.chain.id;

  const listeners = new Set<(outcome: Outcome) => void>();
  const waiters = new Set<() => void>();
  /** Versions broadcast by this run: the first look at a stored one after a start broadcasts it again. */
  const broadcast = new Set<Hex>();
  let synced = false;
  let stopped = false;

  const get = (id: number) => db.prepare("SELECT * FROM outbox_tx WHERE id = ?").get(id) as Row | undefined;
  const rows = (state: OutboxState, limit: number) =>
    db.prepare("SELECT * FROM outbox_tx WHERE sender = ? AND state = ? ORDER BY nonce, id LIMIT ?").all(sender, state, limit) as Row[];
  const count = (states: string) =>
    (db.prepare(`SELECT COUNT(*) AS n FROM outbox_tx WHERE sender = ? AND state IN (${states})`).get(sender) as { n: number }).n;
  const attempts = (id: number) =>
    db.prepare("SELECT hash, raw FROM outbox_attempt WHERE tx = ? ORDER BY rowid DESC").all(id) as { hash: Hex; raw: Hex }[];
  const nextNonce = () => (db.prepare("SELECT next FROM outbox_nonce WHERE sender = ?").get(sender) as { next: number } | undefined)?.next;

  const loop = backgroundLoop({ tick, idleMs: parameters.pollMs ?? 200, retryMs: parameters.retryMs ?? 500, log });

  function enqueue(call: EnqueueParameters): EnqueueReturnType {
    const pending = count("'queued', 'sent'");
    if (pending >= maxPending) throw new OutboxFullError({ pending, maxPending });
    const data = call.data ?? encodeFunctionData(call as EncodeFunctionDataParameters<Abi>);
    const label = call.label ?? ("functionName" in call && call.functionName ? String(call.functionName) : "call");
    const gasLimit = call.gasLimit === undefined ? gasCap : least(call.gasLimit, gasCap);
    const at = Date.now();
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO outbox_tx (sender, label, to_address, data, gas_limit, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)`,
      )
      .run(sender, label, call.to, data, Number(gasLimit), at, at);
    loop.wake();
    return Number(lastInsertRowid);
  }

  function outcome(id: number): Outcome {
    const row = get(id);
    if (!row) throw new OutboxUnknownError(id);
    return toOutcome(row);
  }

  /** Resolves once the call is mined, reverted or failed; `timeoutMs` and `signal` bound the wait, not the sending. */
  async function wait(id: number, { timeoutMs, signal }: WaitParameters = {}): Promise<Outcome> {
    const end = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    for (;;) {
      const found = outcome(id);
      if (isFinal(found.state)) return found;
      if (stopped) throw new OutboxStoppedError(id);
      if (Date.now() > end) throw new OutboxWaitTimeoutError({ id, state: found.state, hash: found.hash }, timeoutMs!);
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, 250);
        waiters.add(done);
      });
    }
  }

  /** Calls `listener` with each outcome as it is recorded; returns an unsubscribe. */
  function onSettled(listener: (outcome: Outcome) => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  function finish(id: number, state: OutboxState, fields: { hash?: Hex; blockNumber?: bigint; error?: string }) {
    db.prepare("UPDATE outbox_tx SET state = ?, hash = COALESCE(?, hash), block_number = ?, error = ?, updated_at = ? WHERE id = ?").run(
      state,
      fields.hash ?? null,
      fields.blockNumber === undefined ? null : Number(fields.blockNumber),
      fields.error ?? null,
      Date.now(),
      id,
    );
    const settled = outcome(id);
    log(`#${id} ${settled.label} ${state}${settled.hash ? ` in ${settled.hash}` : ""}${fields.error ? `: ${fields.error}` : ""}`);
    for (const listener of listeners) listener(settled);
    for (const waiter of [...waiters]) waiter();
  }

  /** Once per start: the nonce store is at least the chain's pending nonce (the key may have been used elsewhere). */
  async function sync() {
    const pending = await chain.client.getTransactionCount({ address: account.address, blockTag: "pending" });
    db.prepare(
      "INSERT INTO outbox_nonce (sender, next) VALUES (?, ?) ON CONFLICT (sender) DO UPDATE SET next = MAX(next, excluded.next)",
    ).run(sender, pending);
    synced = true;
  }

  async function sign(row: Row, nonce: number, gas: bigint, fees: Fees) {
    const raw = await account.signTransaction!({
      chainId,
      type: "eip1559",
      to: row.to_address,
      data: row.data,
      value: 0n,
      gas,
      nonce,
      ...fees,
    });
    return { raw, hash: keccak256(raw) };
  }

  /** Stores a signed version (and the row's nonce, gas and fees) before anything is broadcast. */
  function store(row: Row, version: { raw: Hex; hash: Hex }, nonce: number, gas: bigint, fees: Fees, bumps: number) {
    transaction(db, () => {
      db.prepare("UPDATE outbox_nonce SET next = MAX(next, ?) WHERE sender = ?").run(nonce + 1, sender);
      db.prepare(
        `UPDATE outbox_tx SET state = 'sent', nonce = ?, hash = ?, gas = ?, max_fee = ?, priority_fee = ?, bumps = ?, sent_at = ?, updated_at = ?
         WHERE id = ?`,
      ).run(
        nonce,
        version.hash,
        Number(gas),
        fees.maxFeePerGas.toString(),
        fees.maxPriorityFeePerGas.toString(),
        bumps,
        Date.now(),
        Date.now(),
        row.id,
      );
      db.prepare("INSERT INTO outbox_attempt (hash, tx, raw, signed_at) VALUES (?, ?, ?, ?)").run(
        version.hash,
        row.id,
        version.raw,
        Date.now(),
      );
    });
  }

  /** A mined receipt of any version of the row. */
  async function receiptOf(row: Row): Promise<TransactionReceipt | undefined> {
    for (const { hash } of attempts(row.id)) {
      const receipt = await chain.client.getTransactionReceipt({ hash }).catch((error: unknown) => {
        if (isUnreachable(error)) throw error;
        return undefined;
      });
      if (receipt) return receipt;
    }
    return undefined;
  }

  /** Whether the node knows any version of the row (pending or mined). */
  async function known(row: Row): Promise<boolean> {
    for (const { hash } of attempts(row.id)) {
      if (await chain.client.getTransaction({ hash }).then(Boolean, () => false)) return true;
    }
    return false;
  }

  /**
   * Broadcasts stored bytes; "nonce too low" sends the call again on a fresh nonce when none of its versions
   * is known, fees too low send it again with higher ones.
   */
  async function send(row: Row, raw: Hex, hash: Hex): Promise<void> {
    try {
      await chain.client.sendRawTransaction({ serializedTransaction: raw });
    } catch (error) {
      const message = messageOf(error);
      if (isNonceTooLow(message)) return renonce(row);
      if (isFeeTooLow(message)) return refusedForFees(row, message);
      if (!isAlreadyKnown(message)) throw error; // the node is unreachable or refused it for now: the same bytes later
    }
    broadcast.add(hash);
  }

  /** The node refused the latest version's fees: the same nonce again with higher fees, or give up at the cap. */
  async function refusedForFees(stale: Row, answer: string) {
    const row = get(stale.id)!; // as stored, with the fees it was signed with
    const previous = { maxFeePerGas: BigInt(row.max_fee!), maxPriorityFeePerGas: BigInt(row.priority_fee!) };
    const fees = raisedFees(previous, await chain.client.estimateFeesPerGas(), { bumpPercent, maxFeePerGas });
    if (fees) {
      const version = await sign(row, row.nonce!, BigInt(row.gas!), fees);
      store(row, version, row.nonce!, BigInt(row.gas!), fees, row.bumps + 1);
      log(`#${row.id} ${row.label}: fees refused by the node, sent again as ${version.hash} (max fee ${fees.maxFeePerGas} wei)`);
      return send(row, version.raw, version.hash);
    }
    const reason = `${row.label} was refused for its fees even at the cap of ${maxFeePerGas} wei per gas: ${answer.split("\n")[0]}`;
    const behind = db
      .prepare("SELECT COUNT(*) AS n FROM outbox_tx WHERE sender = ? AND state = 'sent' AND nonce > ?")
      .get(sender, row.nonce) as {
      n: number;
    };
    if (behind.n > 0) {
      // Later nonces already in the node's pool wait on this one: it keeps its nonce, tried again after `stuckMs`.
      db.prepare("UPDATE outbox_tx SET sent_at = ?, error = ? WHERE id = ?").run(Date.now(), reason, row.id);
      broadcast.add(attempts(row.id)[0]!.hash);
      return;
    }
    // Nothing of it is in the pool and nothing waits behind it: the call fails and its nonce goes to the next
    // (whose signed bytes, for the same call, may be these very ones: its versions are forgotten).
    transaction(db, () => {
      db.prepare("DELETE FROM outbox_attempt WHERE tx = ?").run(row.id);
      db.prepare("UPDATE outbox_tx SET nonce = NULL, hash = NULL WHERE id = ?").run(row.id);
      db.prepare("UPDATE outbox_nonce SET next = ? WHERE sender = ?").run(row.nonce, sender);
      finish(row.id, "failed", { error: reason });
    });
  }

  /** "Nonce too low": mined (settled at the next look), or the nonce was taken by another sender of this key. */
  async function renonce(stale: Row) {
    const row = get(stale.id)!; // as stored, with the gas it was signed with
    if ((await receiptOf(row)) || (await known(row))) return;
    await sync();
    const nonce = nextNonce()!;
    const gas = BigInt(row.gas!);
    const fees = cappedFees(await chain.client.estimateFeesPerGas(), maxFeePerGas);
    const version = await sign(row, nonce, gas, fees);
    store(row, version, nonce, gas, fees, row.bumps);
    log(`#${row.id} ${row.label}: nonce ${row.nonce} was taken by another transaction; sent again as ${version.hash} (nonce ${nonce})`);
    await send({ ...row, nonce }, version.raw, version.hash);
  }

  /** One in-flight row: settled when mined, broadcast again after a start, replaced with higher fees when stuck. */
  async function follow(row: Row): Promise<boolean> {
    const receipt = await receiptOf(row);
    if (receipt) {
      finish(row.id, receipt.status === "success" ? "mined" : "reverted", {
        hash: receipt.transactionHash,
        blockNumber: receipt.blockNumber,
        ...(receipt.status === "success" ? {} : { error: `${row.label} reverted in ${receipt.transactionHash}` }),
      });
      return true;
    }
    const latest = attempts(row.id)[0]!;
    if (!broadcast.has(latest.hash)) {
      await send(row, latest.raw, latest.hash);
      return true;
    }
    if (Date.now() - row.sent_at! < stuckMs) return false;
    const fees = bumpedFees(
      { maxFeePerGas: BigInt(row.max_fee!), maxPriorityFeePerGas: BigInt(row.priority_fee!) },
      { bumpPercent, maxFeePerGas },
    );
    if (!fees) {
      // At the fee cap: keep the same bytes in the node's pool, and look again after another wait.
      db.prepare("UPDATE outbox_tx SET sent_at = ? WHERE id = ?").run(Date.now(), row.id);
      broadcast.delete(latest.hash);
      return false;
    }
    const version = await sign(row, row.nonce!, BigInt(row.gas!), fees);
    store(row, version, row.nonce!, BigInt(row.gas!), fees, row.bumps + 1);
    log(`#${row.id} ${row.label}: unmined for ${stuckMs} ms, replaced by ${version.hash} (max fee ${fees.maxFeePerGas} wei)`);
    await send(row, version.raw, version.hash);
    return true;
  }

  /** A queued row: gas estimated within its bound, then the next nonce, signed, stored and broadcast. */
  async function sendQueued(row: Row) {
    const bound = BigInt(row.gas_limit);
    let estimate: bigint;
    try {
      estimate = await chain.client.estimateGas({ account: account.address, to: row.to_address, data: row.data });
    } catch (error) {
      if (isUnreachable(error)) throw error;
      finish(row.id, "failed", { error: `${row.label} would revert: ${messageOf(error).split("\n")[0]}` });
      return;
    }
    if (estimate > bound) {
      finish(row.id, "failed", { error: `${row.label} needs ${estimate} gas, more than its bound of ${bound}` });
      return;
    }
    const gas = gasWithMargin(estimate, bound);
    const fees = cappedFees(await chain.client.estimateFeesPerGas(), maxFeePerGas);
    const nonce = nextNonce()!;
    const version = await sign(row, nonce, gas, fees);
    store(row, version, nonce, gas, fees, 0);
    log(`sending #${row.id} ${row.label} as ${version.hash} (nonce ${nonce})`);
    await send({ ...row, nonce }, version.raw, version.hash);
  }

  async function tick(): Promise<boolean> {
    if (!synced) await sync();
    let worked = false;
    for (const row of rows("sent", maxInFlight)) if (await follow(row)) worked = true;
    const room = maxInFlight - count("'sent'");
    for (const row of room > 0 ? rows("queued", room) : []) {
      await sendQueued(row);
      worked = true;
    }
    return worked;
  }

  const stop = async () => {
    stopped = true;
    await loop.stop();
    for (const waiter of [...waiters]) waiter();
  };

  return {
    address: account.address,
    enqueue,
    outcome,
    wait,
    onSettled,
    /** Calls not yet mined, reverted or failed. */
    pending: () => count("'queued', 'sent'"),
    start: loop.start,
    stop,
    tick,
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
