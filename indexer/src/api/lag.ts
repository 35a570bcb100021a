/**
 * GET /lag: whether the indexer follows the chain (200) or not (503), with the indexed block, the head
 * and the lag. Ponder's own /ready answers 200 once the backfill is done and /health always: neither
 * notices an indexer that stopped following, this does. The head is read from the RPC on its own client
 * (short timeout, no retries), so an unreachable node is reported at once instead of waited on.
 * A sampler every second keeps the "behind since" clock running between requests.
 */
import { db } from "ponder:api";
import { Hono } from "hono";
import { sql } from "ponder";
import { createPublicClient, http } from "viem";
import { loadDeployment } from "@provena/common/node";
import { checkpointBlock, lagReport, nextWaiting, type LagReport, type Waiting } from "../lag";
import { indexerSettings, lagBounds } from "../settings";

const SAMPLE_MS = 1_000;
const RPC_TIMEOUT_MS = 2_000;

const bounds = lagBounds();
const client = createPublicClient({
  transport: http(indexerSettings(loadDeployment()).rpcUrl, { timeout: RPC_TIMEOUT_MS, retryCount: 0 }),
});
const schema = process.env.DATABASE_SCHEMA;
const checkpoints = sql.raw(schema && /^\w+$/.test(schema) ? `"${schema}"."_ponder_checkpoint"` : "_ponder_checkpoint");

let waiting: Waiting;

async function indexedBlock(): Promise<number> {
  const { rows } = await db.execute<{ latest_checkpoint: string }>(sql`SELECT latest_checkpoint FROM ${checkpoints}`);
  return rows.length === 0 ? 0 : Math.min(...rows.map((row: { latest_checkpoint: string }) => checkpointBlock(row.latest_checkpoint)));
}

type Sample = LagReport | { following: false; error: string; indexedBlock: number | null; headBlock: null };

async function sample(): Promise<Sample> {
  const indexed = await indexedBlock();
  let head: number;
  try {
    head = Number(await client.getBlockNumber({ cacheTime: 0 }));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { following: false, error: `the chain's RPC did not answer: ${reason}`, indexedBlock: indexed, headBlock: null };
  }
  const now = Date.now();
  waiting = nextWaiting(waiting, indexed, head, now);
  return lagReport(indexed, head, waiting, now, bounds);
}

setInterval(() => void sample().catch(() => {}), SAMPLE_MS).unref();

export const lag = new Hono().get("/lag", async (c) => {
  const report = await sample();
  return c.json({ ...report, maxLagBlocks: bounds.maxLagBlocks, maxLagMs: bounds.maxLagMs }, report.following ? 200 : 503);
});
