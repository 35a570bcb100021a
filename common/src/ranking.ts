/**
 * The leaderboard's ranking rule, the one place it is written down. The indexer derives the stored
 * sort keys with it, the API orders, pages and ranks with it, and the frontend displays with it.
 *
 * - score: sum of the validation scores (0–1) of accepted contributions; rejected and pending add nothing.
 * - ties: higher acceptance rate (accepted / decided) first, then whoever reached the score first,
 *   then the lower address (so the order is total and pagination is stable).
 */
import type { Address } from "viem";

/** Scores are kept as integers in hundredths of a point per contribution (0..10000 = 0..1), as on chain. */
export const SCORE_UNIT = 10_000;

/** Acceptance rates are compared as `accepted * RATE_SCALE / decided` (floored). 10^18 keeps distinct
 *  fractions with denominators below 10^9 distinct, so ties are exactly the equal rates. */
export const RATE_SCALE = 10n ** 18n;

export type RankKey = {
  /** Sum of accepted scores, in hundredths of a point. */
  scoreSum: bigint;
  rateKey: bigint;
  /** Chain order (see `chainOrder`) of the event that brought the current score; for a score of 0, the first contribution. */
  reachedAt: bigint;
  contributor: Address;
};

type Direction = "asc" | "desc";

/** Sort order of the board, most significant first; SQL `ORDER BY` and cursors are built from it. */
export const RANK_ORDER = [
  { key: "scoreSum", direction: "desc" },
  { key: "rateKey", direction: "desc" },
  { key: "reachedAt", direction: "asc" },
  { key: "contributor", direction: "asc" },
] as const satisfies readonly { key: keyof RankKey; direction: Direction }[];

export const rateKey = (accepted: number | bigint, rejected: number | bigint): bigint => {
  const decided = BigInt(accepted) + BigInt(rejected);
  return decided === 0n ? 0n : (BigInt(accepted) * RATE_SCALE) / decided;
};

/** Accepted / decided, or null before anything was decided. For display; ranking uses `rateKey`. */
export const acceptanceRate = (accepted: number, rejected: number): number | null =>
  accepted + rejected === 0 ? null : accepted / (accepted + rejected);

/** Where an event sits in the chain's history, as one comparable number. */
export const chainOrder = (blockNumber: bigint, logIndex: number): bigint => (blockNumber << 32n) | BigInt(logIndex);

/** A stored score sum (hundredths) as points, each accepted contribution worth 0..1. */
export const scorePoints = (scoreSum: bigint): number => Number(scoreSum) / SCORE_UNIT;

const compareValues = (a: bigint | string, b: bigint | string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Negative when `a` ranks ahead of `b`. */
export const compareRank = (a: RankKey, b: RankKey): number => {
  for (const { key, direction } of RANK_ORDER) {
    const left = key === "contributor" ? a[key].toLowerCase() : a[key];
    const right = key === "contributor" ? b[key].toLowerCase() : b[key];
    const order = compareValues(left, right);
    if (order !== 0) return direction === "asc" ? order : -order;
  }
  return 0;
};

/** Opaque, URL-safe cursor: the key of the last entry of a page. The next page starts strictly after it. */
export const encodeCursor = (key: RankKey): string =>
  Buffer.from([key.scoreSum, key.rateKey, key.reachedAt, key.contributor.toLowerCase()].join(".")).toString("base64url");

/** The key a cursor carries, or undefined when it is not one `encodeCursor` made. */
export const decodeCursor = (cursor: string): RankKey | undefined => {
  const parts = Buffer.from(cursor, "base64url").toString("utf8").split(".");
  const [scoreSum, rate, reachedAt, contributor] = parts;
  const isUint = (value: string | undefined): value is string => value !== undefined && /^\d{1,78}$/.test(value);
  if (parts.length !== 4 || !isUint(scoreSum) || !isUint(rate) || !isUint(reachedAt) || !/^0x[0-9a-f]{40}$/.test(contributor ?? "")) {
    return undefined;
  }
  return { scoreSum: BigInt(scoreSum), rateKey: BigInt(rate), reachedAt: BigInt(reachedAt), contributor: contributor as Address };
};
