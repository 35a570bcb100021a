/**
 * The indexer's HTTP API: Ponder's GraphQL (graphql-yoga) at /graphql, its SQL-over-HTTP client at
 * /sql/*, and REST JSON for the leaderboard, contributors, Datanets and contributions.
 * Bad parameters answer 400 with `{ error, parameter }`; unknown ids 404.
 */
import { db, publicClients } from "ponder:api";
import schema, { contribution, contributorStats, datanet, vote } from "ponder:schema";
import { Hono, type Context } from "hono";
import { and, asc, client, desc, eq, gt, graphql, lt, or } from "ponder";
import type { Hex } from "viem";
import { utcDay } from "@provena/common/limits";
import { acceptanceRate, scorePoints } from "@provena/common/ranking";
import { allTimeRank, leaderboard, type BoardRow } from "./leaderboard";
import {
  ParameterError,
  checkNoQuery,
  encodeContributionCursor,
  parseAddress,
  parseContributionsQuery,
  parseDatanetId,
  parseDatanetsQuery,
  parseLeaderboardQuery,
} from "./params";
import { GLOBAL } from "../stats";

const app = new Hono();

app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));

app.onError((error, c) => {
  if (error instanceof ParameterError) return c.json({ error: error.message, parameter: error.parameter }, 400);
  console.error(error);
  return c.json({ error: "internal error" }, 500);
});

/** Recent windows end at the chain's current UTC day (chain time, so a test chain's clock is honoured). */
let clock: { day: number; readAt: number } | undefined;
const CLOCK_TTL_MS = 1_000;
async function today(): Promise<number> {
  if (!clock || Date.now() - clock.readAt > CLOCK_TTL_MS) {
    const block = await publicClients.chain.getBlock({ blockTag: "latest" });
    clock = { day: utcDay(block.timestamp), readAt: Date.now() };
  }
  return clock.day;
}

const num = (value: bigint | null): number | null => (value === null ? null : Number(value));

const boardEntry = (row: BoardRow & { rank: number }) => ({
  rank: row.rank,
  contributor: row.contributor,
  score: scorePoints(row.scoreSum),
  acceptanceRate: acceptanceRate(row.accepted, row.rejected),
  accepted: row.accepted,
  rejected: row.rejected,
  pending: row.pending,
  submitted: row.submitted,
  bytes: Number(row.bytes),
  reachedAtBlock: Number(row.reachedAt >> 32n),
});

const statsView = (row: typeof contributorStats.$inferSelect) => ({
  score: scorePoints(row.scoreSum),
  acceptanceRate: row.acceptanceRate,
  submitted: row.submitted,
  pending: row.pending,
  accepted: row.accepted,
  rejected: row.rejected,
  bytes: Number(row.bytes),
  firstActivityAt: Number(row.firstActivityAt),
  lastActivityAt: Number(row.lastActivityAt),
  activeDays: row.activeDays,
});

const datanetView = (row: typeof datanet.$inferSelect) => ({
  ...row,
  id: Number(row.id),
  dailyByteCap: Number(row.dailyByteCap),
  bytes: Number(row.bytes),
  createdAt: Number(row.createdAt),
  createdBlock: Number(row.createdBlock),
  updatedAt: Number(row.updatedAt),
});

const contributionView = (row: typeof contribution.$inferSelect) => ({
  ...row,
  datanetId: Number(row.datanetId),
  score: row.score === null ? null : row.score / 10_000,
  submittedAt: Number(row.submittedAt),
  submittedBlock: Number(row.submittedBlock),
  submittedOrder: undefined,
  finalizedAt: num(row.finalizedAt),
  finalizedBlock: num(row.finalizedBlock),
});

const query = (c: Context) => c.req.query() as Record<string, string | undefined>;

app.get("/leaderboard", async (c) => {
  const params = parseLeaderboardQuery(query(c));
  const board = await leaderboard(params, today);
  return c.json({
    datanet: params.datanet === undefined ? null : Number(params.datanet),
    window: params.window,
    entries: board.rows.map(boardEntry),
    nextCursor: board.nextCursor,
  });
});

app.get("/contributors/:address", async (c) => {
  checkNoQuery(query(c));
  const address = parseAddress(c.req.param("address"), "address");
  const rows = await db.select().from(contributorStats).where(eq(contributorStats.contributor, address)).orderBy(asc(contributorStats.datanetId));
  const global = rows.find((row) => row.datanetId === GLOBAL);
  if (!global) return c.json({ error: `no contributions from ${address}` }, 404);
  const rankIn = (row: typeof global) =>
    allTimeRank(row.datanetId, { scoreSum: row.scoreSum, rateKey: row.rateKey, reachedAt: row.reachedAt, contributor: row.contributor });
  return c.json({
    address,
    rank: await rankIn(global),
    ...statsView(global),
    datanets: await Promise.all(
      rows.filter((row) => row.datanetId !== GLOBAL).map(async (row) => ({ datanetId: Number(row.datanetId), rank: await rankIn(row), ...statsView(row) })),
    ),
  });
});

app.get("/datanets", async (c) => {
  const params = parseDatanetsQuery(query(c));
  const rows = await db
    .select()
    .from(datanet)
    .where(params.after === undefined ? undefined : gt(datanet.id, params.after))
    .orderBy(asc(datanet.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  return c.json({ datanets: page.map(datanetView), nextCursor: rows.length > params.limit ? String(page[page.length - 1]!.id) : null });
});

app.get("/datanets/:id", async (c) => {
  checkNoQuery(query(c));
  const id = parseDatanetId(c.req.param("id"), "id");
  const [row] = await db.select().from(datanet).where(eq(datanet.id, id));
  if (!row) return c.json({ error: `no Datanet ${id}` }, 404);
  const validators = await db.query.validator.findMany({ where: (v, { and, eq }) => and(eq(v.datanetId, id), eq(v.active, true)) });
  return c.json({ ...datanetView(row), validators: validators.map((v) => ({ address: v.address, votes: v.votes, addedAt: Number(v.addedAt) })) });
});

app.get("/contributions", async (c) => {
  const params = parseContributionsQuery(query(c));
  const cursor = params.cursor;
  const rows = await db
    .select()
    .from(contribution)
    .where(
      and(
        params.datanet === undefined ? undefined : eq(contribution.datanetId, params.datanet),
        params.contributor === undefined ? undefined : eq(contribution.contributor, params.contributor),
        params.status === undefined ? undefined : eq(contribution.status, params.status),
        cursor === undefined
          ? undefined
          : or(
              lt(contribution.submittedOrder, cursor.order),
              and(eq(contribution.submittedOrder, cursor.order), lt(contribution.batchIndex, cursor.batchIndex)),
            ),
      ),
    )
    .orderBy(desc(contribution.submittedOrder), desc(contribution.batchIndex))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page[page.length - 1];
  return c.json({
    contributions: page.map(contributionView),
    nextCursor: rows.length > params.limit && last ? encodeContributionCursor({ order: last.submittedOrder, batchIndex: last.batchIndex }) : null,
  });
});

app.get("/contributions/:id", async (c) => {
  checkNoQuery(query(c));
  const id = c.req.param("id");
  if (!/^0x[0-9a-fA-F]{64}$/.test(id)) throw new ParameterError("id", `must be a 32-byte contribution id (0x + 64 hex digits), not "${id}"`);
  const [row] = await db.select().from(contribution).where(eq(contribution.id, id.toLowerCase() as Hex));
  if (!row) return c.json({ error: `no contribution ${id}` }, 404);
  const votes = await db.select().from(vote).where(eq(vote.contributionId, row.id)).orderBy(asc(vote.blockNumber), asc(vote.id));
  return c.json({
    ...contributionView(row),
    votes: votes.map((v) => ({ ...v, datanetId: Number(v.datanetId), timestamp: Number(v.timestamp), blockNumber: Number(v.blockNumber) })),
  });
});

export default app;
