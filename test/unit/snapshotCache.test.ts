/**
 * The indexer API's answer cache: reused while the database snapshot is unchanged, recomputed after.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { snapshotCache } from "../../indexer/src/api/snapshotCache.js";

/** A fake database version the test moves by hand, counting how often it is read. */
function versioned() {
  const state = { snapshot: "1:1:", reads: 0 };
  const read = async () => {
    state.reads += 1;
    await new Promise((resolve) => setTimeout(resolve, 1));
    return state.snapshot;
  };
  return { state, read };
}

test("an answer is computed once per snapshot, and again once the snapshot moves", async () => {
  const { state, read } = versioned();
  const cached = snapshotCache(read, { reuseMs: 0 });
  let computed = 0;
  const board = () => cached("/leaderboard", async () => ++computed);
  assert.equal(await board(), 1);
  assert.equal(await board(), 1);
  state.snapshot = "1:2:";
  assert.equal(await board(), 2);
  assert.equal(await cached("/datanets", async () => "other key"), "other key");
  assert.equal(computed, 2);
});

test("identical concurrent requests share one snapshot read and one computation", async () => {
  const { state, read } = versioned();
  const cached = snapshotCache(read, { reuseMs: 0 });
  let computed = 0;
  const answers = await Promise.all(Array.from({ length: 50 }, () => cached("/leaderboard", async () => ++computed)));
  assert.deepEqual(new Set(answers), new Set([1]));
  assert.equal(computed, 1);
  assert.equal(state.reads, 1);
});

test("a failed computation is not kept: the next request computes again", async () => {
  const { read } = versioned();
  const cached = snapshotCache(read, { reuseMs: 0 });
  await assert.rejects(
    cached("/leaderboard", async () => Promise.reject(new Error("database busy"))),
    /database busy/,
  );
  assert.equal(await cached("/leaderboard", async () => "recovered"), "recovered");
});

test("at most maxEntries answers are kept, the oldest dropped first", async () => {
  const { read } = versioned();
  const cached = snapshotCache(read, { maxEntries: 2, reuseMs: 0 });
  const computed: string[] = [];
  const get = (key: string) =>
    cached(key, async () => {
      computed.push(key);
      return key;
    });
  await get("a");
  await get("b");
  await get("c"); // drops "a"
  await get("b");
  await get("a");
  assert.deepEqual(computed, ["a", "b", "c", "a"]);
});

test("one snapshot read serves the requests of the next reuseMs; later ones read again", async () => {
  const { state, read } = versioned();
  const cached = snapshotCache(read, { reuseMs: 60_000 });
  let computed = 0;
  const board = () => cached("/leaderboard", async () => ++computed);
  assert.equal(await board(), 1);
  state.snapshot = "1:2:"; // a write within the reuse window is not seen yet…
  assert.equal(await board(), 1);
  assert.equal(state.reads, 1);
  const strict = snapshotCache(read, { reuseMs: 0 });
  assert.equal(await strict("/leaderboard", async () => "fresh"), "fresh");
  state.snapshot = "1:3:"; // …and with no reuse window, every request after a write sees it.
  assert.equal(await strict("/leaderboard", async () => "fresher"), "fresher");
});
