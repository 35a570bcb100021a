/**
 * Following the chain from a block cursor kept in the database, safely:
 *  - only blocks `confirmations` deep are read;
 *  - the hash of each block the cursor stops at is kept, so a reorg below the cursor is seen at the next
 *    step: the cursor goes back to the newest kept block still on the chain, and the caller undoes what it
 *    recorded above it (in the same database transaction);
 *  - a span the node refuses to read in one query (too many logs, too wide a range) is halved, down to a
 *    single block, and stays that size: a node's limit does not change while it runs.
 * RPC faults (the node down) are thrown for the caller's loop to retry; nothing is written then.
 */
import { firstLineOf, isUnreachable, transaction, type ChainView, type Db } from "@provena/runtime";
import type { Hex } from "viem";

export type FollowerParameters<T> = {
  db: Db;
  chain: ChainView;
  /** The cursor's name (one per follower in the database). */
  name: string;
  startBlock: bigint;
  confirmations: number;
  /** The widest span read in one query. Default 2,000 blocks. */
  maxSpan?: bigint;
  /** Reads blocks [from, to] (RPC only; nothing is written here). */
  read: (from: bigint, to: bigint) => Promise<T>;
  /** Writes what `read` found, in the transaction that moves the cursor to `to`. */
  record: (found: T, to: bigint) => void;
  /** Undoes what was recorded from blocks after `block` (a reorg took them away), in the transaction that moves the cursor back. */
  rewind: (block: bigint) => void;
  log: (line: string) => void;
};

/** How many of the cursor's latest stops keep their block hash: a reorg deeper than these rescans from the start. */
const KEPT_STOPS = 64;
const DEFAULT_MAX_SPAN = 2_000n;

/** The follower's standing, as its last head read left it (see `lag` below). */
export type FollowerLag = { headBlock: number; lagBlocks: number; headReadAt: number };

/** Bounds for a health report: a tick may judge 16 files of up to a minute each, hence the long staleness. */
export const FOLLOWER_BOUNDS = { maxLagBlocks: 20, staleMs: 120_000 };

/** Why a follower is not following (too far behind, or no head read for long: its loop stopped, or the node is gone); null when it is. */
export function followerError(lag: FollowerLag | undefined, now: number, bounds = FOLLOWER_BOUNDS): string | null {
  if (!lag) return "it has not read the chain's head yet";
  if (lag.lagBlocks > bounds.maxLagBlocks) return `it is ${lag.lagBlocks} blocks behind the chain head (at most ${bounds.maxLagBlocks})`;
  const ago = now - lag.headReadAt;
  if (ago > bounds.staleMs) return `it has not read the chain's head for ${Math.round(ago / 1000)} s (at most ${bounds.staleMs / 1000})`;
  return null;
}

export function createFollower<T>(parameters: FollowerParameters<T>) {
  const { db, chain, name, log } = parameters;
  let span = parameters.maxSpan ?? DEFAULT_MAX_SPAN;
  // The head as last read, and when: for health reports (a loop that stopped, or a node gone, shows as an old read).
  let seen: { head: bigint; at: number } | undefined;

  const cursor = (): bigint => {
    const row = db.prepare("SELECT block FROM cursor WHERE name = ?").get(name) as { block: number } | undefined;
    return row ? BigInt(row.block) : parameters.startBlock - 1n;
  };
  const setCursor = (block: bigint) =>
    db
      .prepare("INSERT INTO cursor (name, block) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET block = excluded.block")
      .run(name, Number(block));

  /** The hash of block `number` on the node's chain now, or undefined when it has no such block (a shorter chain after a reorg). */
  const hashOf = (number: bigint): Promise<Hex | undefined> =>
    chain.client.getBlock({ blockNumber: number }).then(
      (block) => block.hash ?? undefined,
      (error: unknown) => {
        if (isUnreachable(error)) throw error;
        return undefined;
      },
    );

  function moveBack(block: bigint) {
    transaction(db, () => {
      parameters.rewind(block);
      setCursor(block);
      db.prepare("DELETE FROM cursor_block WHERE name = ? AND block > ?").run(name, Number(block));
    });
  }

  /** Whether the chain lost blocks the cursor had passed; if so the cursor is moved back (true). */
  async function unwound(): Promise<boolean> {
    const kept = db.prepare("SELECT block, hash FROM cursor_block WHERE name = ? ORDER BY block DESC").all(name) as {
      block: number;
      hash: Hex;
    }[];
    for (const [index, stop] of kept.entries()) {
      if ((await hashOf(BigInt(stop.block))) !== stop.hash) continue;
      if (index === 0) return false;
      log(`blocks after ${stop.block} were replaced by a reorg: reading them again`);
      moveBack(BigInt(stop.block));
      return true;
    }
    if (kept.length === 0) return false;
    log(`a reorg replaced every block kept (back to ${kept.at(-1)!.block}): reading again from block ${parameters.startBlock}`);
    moveBack(parameters.startBlock - 1n);
    return true;
  }

  /** One step: undo a reorg, or read the next span. True when it did something. */
  async function step(): Promise<boolean> {
    if (await unwound()) return true;
    const from = cursor() + 1n;
    const head = await chain.client.getBlockNumber({ cacheTime: 0 });
    seen = { head, at: Date.now() };
    const safe = head - BigInt(parameters.confirmations);
    if (from > safe) return false;
    const to = safe < from + span - 1n ? safe : from + span - 1n;
    const before = await hashOf(to);
    let found: T;
    try {
      found = await parameters.read(from, to);
    } catch (error) {
      if (isUnreachable(error) || to === from) throw error;
      span = (to - from + 1n) / 2n;
      log(`the node refused blocks ${from}–${to} in one query (${firstLineOf(error)}): reading ${span} at a time`);
      return true;
    }
    // A reorg while reading: the logs may mix two chains, so read the span again.
    if (!before || (await hashOf(to)) !== before) return true;
    transaction(db, () => {
      parameters.record(found, to);
      setCursor(to);
      db.prepare("INSERT OR REPLACE INTO cursor_block (name, block, hash) VALUES (?, ?, ?)").run(name, Number(to), before);
      db.prepare(
        "DELETE FROM cursor_block WHERE name = ? AND block NOT IN (SELECT block FROM cursor_block WHERE name = ? ORDER BY block DESC LIMIT ?)",
      ).run(name, name, KEPT_STOPS);
    });
    return true;
  }

  /** How far behind the head the cursor is (beyond the confirmations it waits for), from the last head read. */
  const lag = (): FollowerLag | undefined =>
    seen && {
      headBlock: Number(seen.head),
      lagBlocks: Math.max(0, Number(seen.head) - parameters.confirmations - Number(cursor())),
      headReadAt: seen.at,
    };

  return { step, cursor, lag, span: () => span };
}
