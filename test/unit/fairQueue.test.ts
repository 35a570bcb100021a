/**
 * ModelFactory's queue is fair: the next job is the oldest of the wallet whose last job started least
 * recently, so one wallet's pile of jobs cannot starve another's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { pickNext, type QueueHead } from "../../attestor/factory/src/queue.js";

/** Runs a whole queue to its end, as the factory does: each start is the next in start order. */
function drain(jobs: { id: number; creator: string }[]): number[] {
  const queued = [...jobs];
  const lastStart = new Map<string, number>();
  const order: number[] = [];
  while (queued.length > 0) {
    const heads: QueueHead[] = [...new Set(queued.map((j) => j.creator))].map((creator) => ({
      id: Math.min(...queued.filter((j) => j.creator === creator).map((j) => j.id)),
      creator,
      lastStart: lastStart.get(creator) ?? null,
    }));
    const next = pickNext(heads)!;
    order.push(next.id);
    lastStart.set(next.creator, order.length);
    queued.splice(
      queued.findIndex((j) => j.id === next.id),
      1,
    );
  }
  return order;
}

test("a wallet with many queued jobs takes turns with the others instead of going first with all of them", () => {
  const jobs = [
    ...[1, 2, 3, 4, 5].map((id) => ({ id, creator: "0xmany" })),
    { id: 6, creator: "0xbob" },
    { id: 7, creator: "0xcarol" },
    { id: 8, creator: "0xbob" },
  ];
  assert.deepEqual(drain(jobs), [1, 6, 7, 2, 8, 3, 4, 5]);
});

test("a wallet that never ran goes before one that ran, however old the other's job", () => {
  const heads: QueueHead[] = [
    { id: 3, creator: "0xa", lastStart: 9 },
    { id: 40, creator: "0xb", lastStart: null },
  ];
  assert.equal(pickNext(heads)?.id, 40);
});

test("among wallets whose last start is equally old, the older job goes first; an empty queue picks nothing", () => {
  assert.equal(
    pickNext([
      { id: 12, creator: "0xa", lastStart: null },
      { id: 11, creator: "0xb", lastStart: null },
    ])?.id,
    11,
  );
  assert.equal(pickNext([]), undefined);
});
