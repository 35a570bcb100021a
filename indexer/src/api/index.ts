/**
 * The indexer's HTTP API: Ponder's GraphQL (graphql-yoga) at /graphql and REST JSON for the leaderboard,
 * contributors, Datanets, contributions and models. Ponder's SQL over HTTP (/sql/*) is not served: its
 * read-only check can be bypassed (a hash collision on a truncated SHA-256), and any web page can reach a
 * loopback indexer with a GET.
 * Bad parameters answer 400 with `{ error, parameter }`; unknown ids 404.
 */
import { db, publicClients } from "ponder:api";
import schema, { contribution, contributorActivity, contributorStats, datanet, datanetStats, finalization, vote } from "ponder:schema";
import { Hono } from "hono";
import { and, asc, desc, eq, gt, graphql, inArray, isNull, lt, or, sql } from "ponder";
import { hexToBytes, type Hex } from "viem";
import { cidToString, fileTypeByCode, reasonText, utcDay, acceptanceRate, scorePoints } from "@provena/common";
import { allTimeRank, leaderboard, withActivity, type BoardRow } from "./leaderboard";
import { answer, found, missing, num, pageOf, query } from "./reply";
import { models } from "./models";
import { lag } from "./lag";
import { metadata } from "./metadata";
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

app.use("/graphql", graphql({ db, schema }));
app.route("/models", models);
app.route("/", lag);

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

type StatsRow = { stats: typeof contributorStats.$inferSelect; activity: typeof contributorActivity.$inferSelect };

const statsView = ({ stats, activity }: StatsRow) => ({
  score: scorePoints(stats.scoreSum),
  acceptanceRate: acceptanceRate(stats.accepted, stats.rejected),
  submitted: activity.submitted,
  pending: stats.pending,
  accepted: stats.accepted,
  rejected: stats.rejected,
  bytes: Number(activity.bytes),
  firstActivityAt: Number(activity.firstActivityAt),
  lastActivityAt: Number(activity.lastActivityAt),
  activeDays: activity.activeDays,
});
type DatanetRow = { datanet: typeof datanet.$inferSelect; stats: typeof datanetStats.$inferSelect };

const datanetView = ({ datanet: row, stats }: DatanetRow) => ({
  ...row,
  ...metadata.get(row.metadataCid),
  id: Number(row.id),
  dailyByteCap: Number(row.dailyByteCap),
  contributions: stats.contributions,
  pending: stats.pending,
  accepted: stats.accepted,
  rejected: stats.rejected,
  bytes: Number(stats.bytes),
  contributors: stats.contributors,
  lastActivityAt: num(stats.lastActivityAt),
  createdAt: Number(row.createdAt),
  createdBlock: Number(row.createdBlock),
  updatedAt: Number(row.updatedAt),
});

/** Answers showing metadata are cached per metadata version too: it changes without the database. */
const metadataVariant = () => `metadata ${metadata.version()}`;

/** Datanets with their running totals. */
const datanetRows = () =>
  db.select({ datanet, stats: datanetStats }).from(datanet).innerJoin(datanetStats, eq(datanetStats.datanetId, datanet.id));

type Tally = { accepts: number; rejects: number };
const NO_VOTES: Tally = { accepts: 0, rejects: 0 };

/** Counted votes per contribution (for a page of contributions: one grouped query). */
async function tallies(ids: Hex[]): Promise<Map<Hex, Tally>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      id: vote.contributionId,
      accepts: sql<number>`count(*) filter (where ${vote.accept})::int`,
      rejects: sql<number>`count(*) filter (where not ${vote.accept})::int`,
    })
    .from(vote)
    .where(and(inArray(vote.contributionId, ids), eq(vote.counted, true)))
    .groupBy(vote.contributionId);
  return new Map(rows.map((row) => [row.id, { accepts: row.accepts, rejects: row.rejects }]));
}

type ContributionRow = { contribution: typeof contribution.$inferSelect; finalization: typeof finalization.$inferSelect | null };

const contributionView = ({ contribution: row, finalization: final }: ContributionRow, tally: Tally) => ({
  ...row,
  cidUri: cidToString(hexToBytes(row.cid)),
  fileTypeName: fileTypeByCode(row.fileType)?.name ?? `unknown-${row.fileType}`,
  datanetId: Number(row.datanetId),
  status: final === null ? "pending" : final.accepted ? "accepted" : "rejected",
  score: final?.score == null ? null : final.score / 10_000,
  ...tally,
  submittedAt: Number(row.submittedAt),
  submittedBlock: Number(row.submittedBlock),
  submittedOrder: undefined,
  finalizedAt: final ? Number(final.timestamp) : null,
  finalizedBlock: final ? Number(final.blockNumber) : null,
  finalizedTx: final?.txHash ?? null,
});

/** Contributions with their finalization, if any: the rows every contributions endpoint reads. */
const contributionRows = () =>
  db.select({ contribution, finalization }).from(contribution).leftJoin(finalization, eq(finalization.contributionId, contribution.id));

const STATUS_FILTER = {
  pending: isNull(finalization.contributionId),
  accepted: eq(finalization.accepted, true),
  rejected: eq(finalization.accepted, false),
};

const voteView = (row: typeof vote.$inferSelect) => ({
  ...row,
  id: String(row.id),
  datanetId: Number(row.datanetId),
  reasonText: row.reason === null ? null : (reasonText(row.reason) ?? `reason ${row.reason}`),
  timestamp: Number(row.timestamp),
  blockNumber: Number(row.blockNumber),
});

app.get("/leaderboard", async (c) => {
  const params = parseLeaderboardQuery(query(c));
  const day = params.window === "all" ? undefined : await today();
  return answer(
    c,
    async () => {
      const board = await leaderboard(params, day);
      return found({
        datanet: params.datanet === undefined ? null : Number(params.datanet),
        window: params.window,
        entries: board.rows.map(boardEntry),
        nextCursor: board.nextCursor,
      });
    },
    day === undefined ? "" : `day ${day}`,
  );
});

app.get("/contributors/:address", async (c) => {
  checkNoQuery(query(c));
  const address = parseAddress(c.req.param("address"), "address");
  return answer(c, async () => {
    const rows = await db
      .select({ stats: contributorStats, activity: contributorActivity })
      .from(contributorStats)
      .innerJoin(contributorActivity, withActivity)
      .where(eq(contributorStats.contributor, address))
      .orderBy(asc(contributorStats.datanetId));
    const global = rows.find((row) => row.stats.datanetId === GLOBAL);
    if (!global) return missing(`no contributions from ${address}`);
    const rankIn = ({ stats }: StatsRow) =>
      allTimeRank(stats.datanetId, {
        scoreSum: stats.scoreSum,
        rateKey: stats.rateKey,
        reachedAt: stats.reachedAt,
        contributor: stats.contributor,
      });
    return found({
      address,
      rank: await rankIn(global),
      ...statsView(global),
      datanets: await Promise.all(
        rows
          .filter((row) => row.stats.datanetId !== GLOBAL)
          .map(async (row) => ({ datanetId: Number(row.stats.datanetId), rank: await rankIn(row), ...statsView(row) })),
      ),
    });
  });
});

app.get("/datanets", async (c) => {
  const params = parseDatanetsQuery(query(c));
  return answer(
    c,
    async () => {
      const rows = await datanetRows()
        .where(params.after === undefined ? undefined : gt(datanet.id, params.after))
        .orderBy(asc(datanet.id))
        .limit(params.limit + 1);
      const { page, nextCursor } = pageOf(rows, params.limit, (row) => String(row.datanet.id));
      return found({ datanets: page.map(datanetView), nextCursor });
    },
    metadataVariant(),
  );
});

app.get("/datanets/:id", async (c) => {
  checkNoQuery(query(c));
  const id = parseDatanetId(c.req.param("id"), "id");
  return answer(
    c,
    async () => {
      const [row] = await datanetRows().where(eq(datanet.id, id));
      if (!row) return missing(`no Datanet ${id}`);
      const validators = await db.query.validator.findMany({ where: (v, { and, eq }) => and(eq(v.datanetId, id), eq(v.active, true)) });
      const votes = await db
        .select({ validator: vote.validator, votes: sql<number>`count(*)::int` })
        .from(vote)
        .where(and(eq(vote.datanetId, id), eq(vote.counted, true)))
        .groupBy(vote.validator);
      const votesBy = new Map(votes.map((row) => [row.validator, row.votes]));
      return found({
        ...datanetView(row),
        validators: validators.map((v) => ({ address: v.address, votes: votesBy.get(v.address) ?? 0, addedAt: Number(v.addedAt) })),
      });
    },
    metadataVariant(),
  );
});

app.get("/contributions", async (c) => {
  const params = parseContributionsQuery(query(c));
  const cursor = params.cursor;
  return answer(c, async () => {
    const rows = await contributionRows()
      .where(
        and(
          params.datanet === undefined ? undefined : eq(contribution.datanetId, params.datanet),
          params.contributor === undefined ? undefined : eq(contribution.contributor, params.contributor),
          params.status === undefined ? undefined : STATUS_FILTER[params.status],
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
    const votes = await tallies(page.map((row) => row.contribution.id));
    return found({
      contributions: page.map((row) => contributionView(row, votes.get(row.contribution.id) ?? NO_VOTES)),
      nextCursor:
        rows.length > params.limit && last
          ? encodeContributionCursor({ order: last.contribution.submittedOrder, batchIndex: last.contribution.batchIndex })
          : null,
    });
  });
});

app.get("/contributions/:id", async (c) => {
  checkNoQuery(query(c));
  const id = c.req.param("id");
  if (!/^0x[0-9a-fA-F]{64}$/.test(id))
    throw new ParameterError("id", `must be a 32-byte contribution id (0x + 64 hex digits), not "${id}"`);
  return answer(c, async () => {
    const [row] = await contributionRows().where(eq(contribution.id, id.toLowerCase() as Hex));
    if (!row) return missing(`no contribution ${id}`);
    const votes = await db.select().from(vote).where(eq(vote.contributionId, row.contribution.id)).orderBy(asc(vote.id));
    const counted = votes.filter((v) => v.counted);
    return found({
      ...contributionView(row, { accepts: counted.filter((v) => v.accept).length, rejects: counted.filter((v) => !v.accept).length }),
      votes: votes.map(voteView),
    });
  });
});

export default app;
