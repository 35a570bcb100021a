/**
 * Contributor statistics: all-time per Datanet and globally (datanetId 0), standing and activity
 * apart, and per Datanet and UTC day for the recent windows (the global windows sum the Datanets' days when read).
 * Sort keys come from the shared ranking rule so the stored order is the rule's order.
 */
import { rateKey, utcDay } from "@provena/common";
import type { Context } from "ponder:registry";
import { contributorActivity, contributorDay, contributorStats } from "ponder:schema";
import type { Address } from "viem";

export const GLOBAL = 0n;

type Db = Context["db"];
export type When = { timestamp: bigint; order: bigint };

/** Adds a batch of submissions to one scope's all-time rows; returns whether it was the contributor's first there. */
async function addSubmissions(db: Db, contributor: Address, scope: bigint, files: number, bytes: bigint, when: When, day: number) {
  await db
    .insert(contributorStats)
    .values({ contributor, datanetId: scope, pending: files, accepted: 0, rejected: 0, scoreSum: 0n, rateKey: 0n, reachedAt: when.order })
    .onConflictDoUpdate((row) => ({ pending: row.pending + files }));
  const activity = await db
    .insert(contributorActivity)
    .values({
      contributor,
      datanetId: scope,
      submitted: files,
      bytes,
      firstActivityAt: when.timestamp,
      lastActivityAt: when.timestamp,
      activeDays: 1,
      lastActiveDay: day,
    })
    .onConflictDoUpdate((row) => ({
      submitted: row.submitted + files,
      bytes: row.bytes + bytes,
      lastActivityAt: when.timestamp,
      activeDays: row.lastActiveDay === day ? row.activeDays : row.activeDays + 1,
      lastActiveDay: day,
    }));
  return activity.submitted === files;
}

/** Records a batch of submissions; returns whether this was the contributor's first in the Datanet. */
export async function recordSubmissions(db: Db, contributor: Address, datanetId: bigint, files: number, bytes: bigint, when: When) {
  const day = utcDay(when.timestamp);
  const firstHere = await addSubmissions(db, contributor, datanetId, files, bytes, when, day);
  await addSubmissions(db, contributor, GLOBAL, files, bytes, when, day);
  await db
    .insert(contributorDay)
    .values({
      contributor,
      datanetId,
      day,
      submitted: files,
      accepted: 0,
      rejected: 0,
      bytes,
      scoreSum: 0n,
      lastScoreOrder: 0n,
      firstOrder: when.order,
    })
    .onConflictDoUpdate((row) => ({ submitted: row.submitted + files, bytes: row.bytes + bytes }));
  return firstHere;
}

/** Counts a final status in one scope's all-time row. */
async function addFinal(db: Db, contributor: Address, scope: bigint, accepted: boolean, score: number, when: When) {
  await db.update(contributorStats, { contributor, datanetId: scope }).set((stats) => {
    const accepts = stats.accepted + (accepted ? 1 : 0);
    const rejects = stats.rejected + (accepted ? 0 : 1);
    return {
      pending: stats.pending - 1,
      accepted: accepts,
      rejected: rejects,
      scoreSum: stats.scoreSum + BigInt(score),
      rateKey: rateKey(accepts, rejects),
      reachedAt: score > 0 ? when.order : stats.reachedAt,
    };
  });
}

/**
 * Records a contribution's final status: pending no more, counted as accepted (with its score, in
 * hundredths) or rejected (`score` 0).
 */
export async function recordFinal(db: Db, contributor: Address, datanetId: bigint, accepted: boolean, score: number, when: When) {
  const points = accepted ? score : 0;
  await addFinal(db, contributor, datanetId, accepted, points, when);
  await addFinal(db, contributor, GLOBAL, accepted, points, when);
  const raises = points > 0;
  await db
    .insert(contributorDay)
    .values({
      contributor,
      datanetId,
      day: utcDay(when.timestamp),
      submitted: 0,
      accepted: accepted ? 1 : 0,
      rejected: accepted ? 0 : 1,
      bytes: 0n,
      scoreSum: BigInt(points),
      lastScoreOrder: raises ? when.order : 0n,
      firstOrder: when.order,
    })
    .onConflictDoUpdate((row) => ({
      accepted: row.accepted + (accepted ? 1 : 0),
      rejected: row.rejected + (accepted ? 0 : 1),
      scoreSum: row.scoreSum + BigInt(points),
      lastScoreOrder: raises ? when.order : row.lastScoreOrder,
    }));
}
