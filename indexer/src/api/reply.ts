/**
 * How every REST route answers: JSON computed from the index, cached until the database's visible state
 * changes (snapshotCache), serialized once however often it is served.
 */
import { db } from "ponder:api";
import type { Context } from "hono";
import { sql } from "ponder";
import { snapshotCache } from "./snapshotCache";

const cached = snapshotCache(async () => {
  const { rows } = await db.execute<{ snapshot: string }>(sql`SELECT pg_current_snapshot()::text AS snapshot`);
  return rows[0]!.snapshot;
});

/** An answer as sent: serialized once, when computed, however often it is served. */
export type Reply = { status: 200 | 404; json: string };
export const found = (body: unknown): Reply => ({ status: 200, json: JSON.stringify(body) });
export const missing = (error: string): Reply => ({ status: 404, json: JSON.stringify({ error }) });

/** Answers from the cache, keyed by path and query string (plus `variant`, for answers that depend on more). */
export async function answer(c: Context, compute: () => Promise<Reply>, variant = "") {
  const url = new URL(c.req.url);
  const reply = await cached(`${url.pathname}${url.search}#${variant}`, compute);
  return c.body(reply.json, reply.status, { "content-type": "application/json" });
}

/** The first `limit` of rows fetched `limit + 1` at a time, and the cursor after them (null at the end). */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => string) {
  const page = rows.slice(0, limit);
  return { page, nextCursor: rows.length > limit ? keyOf(page[page.length - 1]!) : null };
}

export const query = (c: Context) => c.req.query() as Record<string, string | undefined>;

export const num = (value: bigint | null): number | null => (value === null ? null : Number(value));
