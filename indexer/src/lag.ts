/**
 * Whether the indexer follows the chain: pure rules over samples of the chain's head and the block the
 * indexer has processed. Behind by a few blocks is normal under load; behind the same head for long, or
 * by many blocks, is not (a dead subscription, an unreachable node, a stuck handler).
 */

/** From settings.ts (no import: this module is also compiled by the repository's tests, with other resolution). */
export type LagBounds = { maxLagBlocks: number; maxLagMs: number };

/** The oldest head seen that the indexer has not reached yet, and when it was first seen (ms). */
export type Waiting = { block: number; seenAt: number } | undefined;

export type LagReport = {
  following: boolean;
  indexedBlock: number;
  headBlock: number;
  lagBlocks: number;
  /** How long the indexer has been behind a head it has not reached (0 when caught up). */
  behindMs: number;
  /** Why it is not following; null when it is. */
  error: string | null;
};

/** The next `Waiting` after a sample: cleared once its block is indexed, set when a head is not. */
export function nextWaiting(waiting: Waiting, indexed: number, head: number, now: number): Waiting {
  const current = waiting && indexed >= waiting.block ? undefined : waiting;
  return current ?? (head > indexed ? { block: head, seenAt: now } : undefined);
}

export function lagReport(indexed: number, head: number, waiting: Waiting, now: number, bounds: LagBounds): LagReport {
  const lagBlocks = Math.max(0, head - indexed);
  const behindMs = waiting ? now - waiting.seenAt : 0;
  const error =
    lagBlocks > bounds.maxLagBlocks
      ? `the indexer is ${lagBlocks} blocks behind the chain head (at most ${bounds.maxLagBlocks})`
      : behindMs > bounds.maxLagMs
        ? `the indexer has not reached block ${waiting!.block}, the head ${Math.round(behindMs / 1000)} s ago (at most ${bounds.maxLagMs} ms)`
        : null;
  return { following: error === null, indexedBlock: indexed, headBlock: head, lagBlocks, behindMs, error };
}

/** Ponder's checkpoint string: 10 digits of block timestamp, 16 of chain id, then 16 of block number. */
export const checkpointBlock = (checkpoint: string): number => Number(checkpoint.slice(26, 42));
