/**
 * Contributor statistics, kept per Datanet and globally (datanetId 0), all-time and per UTC day.
 * Sort keys come from the shared ranking rule so the stored order is the rule's order.
 */
import { acceptanceRate, rateKey } from "@provena/common/ranking";
import { utcDay } from "@provena/common/limits";
import type { Context } from "ponder:registry";
import { contributorDay, contributorStats } from "ponder:schema";
import type { Address } from "viem";

export const GLOBAL = 0n;

type Db = Context["db"];
export type When = { timestamp: bigint; order: bigint };

/** Records a batch of submissions; returns whether this was the contributor's first in the scope. */
export async function recordSubmissions(db: Db, contributor: Address, datanetId: bigint, files: number, bytes: bigint, when: When) {
  const day = utcDay(when.timestamp);
  const existing = await db.find(contributorStats, { contributor, datanetId });
  if (existing) {
    await db.update(contributorStats, { contributor, datanetId }).set({
      submitted: existing.submitted + files,
      pending: existing.pending + files,
      bytes: existing.bytes + bytes,
      lastActivityAt: when.timestamp,
      activeDays: existing.lastActiveDay === day ? existing.activeDays : existing.activeDays + 1,
      lastActiveDay: day,
    });
  } else {
    await db.insert(contributorStats).values({
      contributor,
      datanetId,
      submitted: files,
      pending: files,
      accepted: 0,
      rejected: 0,
      bytes,
      scoreSum: 0n,
      rateKey: 0n,
      acceptanceRate: null,
      reachedAt: when.order,
      firstActivityAt: when.timestamp,
      lastActivityAt: when.timestamp,
      activeDays: 1,
      lastActiveDay: day,
    });
  }
  await db
    .insert(contributorDay)
    .values({ contributor, datanetId, day, submitted: files, accepted: 0, rejected: 0, bytes, scoreSum: 0n, lastScoreOrder: 0n, firstOrder: when.order })
    .onConflictDoUpdate((row) => ({ submitted: row.submitted + files, bytes: row.bytes + bytes }));
  return existing === null;
}

/** Records a contribution's final status: pending no more, counted as accepted (with its score) or rejected. */
export async function recordFinal(db: Db, contributor: Address, datanetId: bigint, accepted: boolean, score: number, when: When) {
  const stats = await db.find(contributorStats, { contributor, datanetId });
  if (!stats) throw new Error(`no statistics for ${contributor} in scope ${datanetId}: a finalization before its submission`);
  const accepts = stats.accepted + (accepted ? 1 : 0);
  const rejects = stats.rejected + (accepted ? 0 : 1);
  const raises = accepted && score > 0;
  await db.update(contributorStats, { contributor, datanetId }).set({
    pending: stats.pending - 1,
    accepted: accepts,
    rejected: rejects,
    scoreSum: stats.scoreSum + (accepted ? BigInt(score) : 0n),
    rateKey: rateKey(accepts, rejects),
    acceptanceRate: acceptanceRate(accepts, rejects),
    reachedAt: raises ? when.order : stats.reachedAt,
  });
  const day = utcDay(when.timestamp);
  await db
    .insert(contributorDay)
    .values({
      contributor,
      datanetId,
      day,
      submitted: 0,
      accepted: accepted ? 1 : 0,
      rejected: accepted ? 0 : 1,
      bytes: 0n,
      scoreSum: accepted ? BigInt(score) : 0n,
      lastScoreOrder: raises ? when.order : 0n,
      firstOrder: when.order,
    })
    .onConflictDoUpdate((row) => ({
      accepted: row.accepted + (accepted ? 1 : 0),
      rejected: row.rejected + (accepted ? 0 : 1),
      scoreSum: row.scoreSum + (accepted ? BigInt(score) : 0n),
      lastScoreOrder: raises ? when.order : row.lastScoreOrder,
    }));
}
