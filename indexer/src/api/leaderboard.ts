/**
 * Leaderboard queries. The all-time board reads the stored sort keys through an index with keyset
 * pagination; a recent window sums the daily rows and ranks them with the same rule in memory.
 */
import { db } from "ponder:api";
import { contributorActivity, contributorDay, contributorStats } from "ponder:schema";
import { and, asc, desc, eq, gt, lt, or, sql } from "ponder";

type SQL = NonNullable<ReturnType<typeof and>>;
import type { Address } from "viem";
import { RANK_ORDER, compareRank, encodeCursor, rateKey, type RankKey } from "@provena/common";
import { WINDOWS, type LeaderboardQuery } from "./params";
import { GLOBAL } from "../stats";

type Stats = typeof contributorStats.$inferSelect;
type Activity = typeof contributorActivity.$inferSelect;
/** `pending` is null on a window's board: pending is a state now, not something that happened in the window. */
export type BoardRow = Pick<Stats, "contributor" | "accepted" | "rejected" | "scoreSum" | "rateKey" | "reachedAt"> &
  Pick<Activity, "submitted" | "bytes"> & {
    pending: number | null;
  };

/** Joins a contributor's standing to their activity in the same scope. */
export const withActivity = and(
  eq(contributorActivity.contributor, contributorStats.contributor),
  eq(contributorActivity.datanetId, contributorStats.datanetId),
)!;

const column = {
  scoreSum: contributorStats.scoreSum,
  rateKey: contributorStats.rateKey,
  reachedAt: contributorStats.reachedAt,
  contributor: contributorStats.contributor,
};

const keyOf = (row: BoardRow): RankKey => ({
  scoreSum: row.scoreSum,
  rateKey: row.rateKey,
  reachedAt: row.reachedAt,
  contributor: row.contributor,
});

/** Rows that rank strictly ahead of `key` (`ahead`) or strictly behind it, following RANK_ORDER. */
const relativeTo = (key: RankKey, side: "ahead" | "behind"): SQL => {
  const clauses: SQL[] = [];
  RANK_ORDER.forEach(({ key: name, direction }, i) => {
    const before = (direction === "desc") === (side === "ahead") ? gt : lt;
    const equalities = RANK_ORDER.slice(0, i).map(({ key: prior }) => eq(column[prior], key[prior]));
    clauses.push(and(...equalities, before(column[name], key[name]))!);
  });
  return or(...clauses)!;
};

const orderBy = RANK_ORDER.map(({ key, direction }) => (direction === "desc" ? desc(column[key]) : asc(column[key])));

/** 1 + how many contributors rank ahead of `key` on the all-time board of `scope`. */
export async function allTimeRank(scope: bigint, key: RankKey): Promise<number> {
  const [row] = await db
    .select({ ahead: sql<number>`count(*)::int` })
    .from(contributorStats)
    .where(and(eq(contributorStats.datanetId, scope), relativeTo(key, "ahead")));
  return (row?.ahead ?? 0) + 1;
}

export type Board = { rows: (BoardRow & { rank: number })[]; nextCursor: string | null };

async function allTimeBoard(scope: bigint, limit: number, cursor?: RankKey): Promise<Board> {
  const rows = await db
    .select({
      contributor: contributorStats.contributor,
      pending: contributorStats.pending,
      accepted: contributorStats.accepted,
      rejected: contributorStats.rejected,
      scoreSum: contributorStats.scoreSum,
      rateKey: contributorStats.rateKey,
      reachedAt: contributorStats.reachedAt,
      submitted: contributorActivity.submitted,
      bytes: contributorActivity.bytes,
    })
    .from(contributorStats)
    .innerJoin(contributorActivity, withActivity)
    .where(cursor ? and(eq(contributorStats.datanetId, scope), relativeTo(cursor, "behind")) : eq(contributorStats.datanetId, scope))
    .orderBy(...orderBy)
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const first = cursor ? (page[0] ? await allTimeRank(scope, keyOf(page[0])) : 0) : 1;
  return {
    rows: page.map((row, i) => ({ ...row, rank: first + i })),
    nextCursor: rows.length > limit ? encodeCursor(keyOf(page[page.length - 1]!)) : null,
  };
}

/** The window's rows, every contributor active in it, ranked. Globally, a contributor's days in every Datanet add up. */
export async function windowRows(scope: bigint, days: number, today: number): Promise<BoardRow[]> {
  const rows = await db
    .select({
      contributor: contributorDay.contributor,
      submitted: sql<number>`sum(${contributorDay.submitted})::int`,
      accepted: sql<number>`sum(${contributorDay.accepted})::int`,
      rejected: sql<number>`sum(${contributorDay.rejected})::int`,
      bytes: sql<string>`sum(${contributorDay.bytes})::text`,
      scoreSum: sql<string>`sum(${contributorDay.scoreSum})::text`,
      lastScoreOrder: sql<string>`max(${contributorDay.lastScoreOrder})::text`,
      firstOrder: sql<string>`min(${contributorDay.firstOrder})::text`,
    })
    .from(contributorDay)
    .where(and(scope === GLOBAL ? undefined : eq(contributorDay.datanetId, scope), gt(contributorDay.day, today - days)))
    .groupBy(contributorDay.contributor);
  return rows
    .map((row) => {
      const lastScore = BigInt(row.lastScoreOrder);
      return {
        contributor: row.contributor as Address,
        submitted: row.submitted,
        pending: null,
        accepted: row.accepted,
        rejected: row.rejected,
        bytes: BigInt(row.bytes),
        scoreSum: BigInt(row.scoreSum),
        rateKey: rateKey(row.accepted, row.rejected),
        reachedAt: lastScore > 0n ? lastScore : BigInt(row.firstOrder),
      };
    })
    .sort((a, b) => compareRank(keyOf(a), keyOf(b)));
}

/** `today` (the chain's UTC day) is needed by the recent windows only. */
export async function leaderboard(query: LeaderboardQuery, today: number | undefined): Promise<Board> {
  const scope = query.datanet ?? GLOBAL;
  const days = WINDOWS[query.window];
  if (days === undefined) return allTimeBoard(scope, query.limit, query.cursor);
  if (today === undefined) throw new Error(`the ${query.window} window needs the chain's current day`);
  const ranked = await windowRows(scope, days, today);
  const start = query.cursor ? ranked.findIndex((row) => compareRank(keyOf(row), query.cursor!) > 0) : 0;
  const from = start === -1 ? ranked.length : start;
  const page = ranked.slice(from, from + query.limit);
  return {
    rows: page.map((row, i) => ({ ...row, rank: from + i + 1 })),
    nextCursor: from + query.limit < ranked.length ? encodeCursor(keyOf(page[page.length - 1]!)) : null,
  };
}
