/**
 * Upload admission (attestor/gateway/src/upload/admission.ts): uploads in progress are bounded in number and
 * in the bytes their requests declare, the others wait in order, and a large upload at the head of the line
 * is not passed by smaller ones.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createAdmission } from "../../attestor/gateway/src/upload/admission.js";

const limits = { maxActive: 4, maxActiveBytes: 1_000, maxWaiting: 8, maxPerAddress: 1 };
const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
/** Resolves to whether the promise settled within a turn of the event loop. */
const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

test("small uploads go on together up to the count; their bytes, not their number, bound large ones", async () => {
  const admission = createAdmission(limits);
  const small = await Promise.all([1, 2, 3].map((n) => admission.enter(address(n), 100)));
  assert.deepEqual(admission.state(), { active: 3, activeBytes: 300, waiting: 0 });
  // 300 + 850 is over the 1,000-byte budget: the large one waits, though only 3 of 4 turns are taken.
  const large = admission.enter(address(4), 850);
  assert.equal(await settled(large), false);
  assert.deepEqual(admission.state(), { active: 3, activeBytes: 300, waiting: 1 });
  // A small one arriving after it waits behind it, though it would fit.
  const later = admission.enter(address(5), 50);
  assert.equal(await settled(later), false);
  small[0]!();
  assert.equal(await settled(later), false, "still behind the large one (200 + 850 is over the budget)");
  small[1]!();
  const releaseLarge = await large;
  const releaseLater = await later;
  assert.deepEqual(admission.state(), { active: 3, activeBytes: 1_000, waiting: 0 });
  small[2]!();
  releaseLarge();
  releaseLater();
  releaseLater(); // given back once, however often called
  assert.deepEqual(admission.state(), { active: 0, activeBytes: 0, waiting: 0 });
});

test("a request that declares no length, or more than the budget, counts as the whole budget", async () => {
  const admission = createAdmission(limits);
  const chunked = await admission.enter(address(1), undefined);
  assert.deepEqual(admission.state(), { active: 1, activeBytes: 1_000, waiting: 0 });
  const next = admission.enter(address(2), 1);
  assert.equal(await settled(next), false);
  chunked();
  (await next)();
  const huge = await admission.enter(address(3), 10 ** 12);
  assert.deepEqual(admission.state(), { active: 1, activeBytes: 1_000, waiting: 0 });
  huge();
});

test("the count still bounds uploads however small; past the line 503, the same address's second 429", async () => {
  const admission = createAdmission({ ...limits, maxWaiting: 1 });
  const turns = await Promise.all([1, 2, 3, 4].map((n) => admission.enter(address(n), 1)));
  const fifth = admission.enter(address(5), 1);
  assert.equal(await settled(fifth), false);
  await assert.rejects(admission.enter(address(6), 1), { code: "uploads_busy", retryAfterSeconds: 5 });
  await assert.rejects(admission.enter(address(5), 1), { code: "upload_in_progress" });
  for (const release of turns) release();
  (await fifth)();
  assert.deepEqual(admission.state(), { active: 0, activeBytes: 0, waiting: 0 });
});

test("a client that leaves the line lets the smaller ones behind it in", async () => {
  const admission = createAdmission(limits);
  const first = await admission.enter(address(1), 600);
  const gone = new AbortController();
  const large = admission.enter(address(2), 600, gone.signal);
  const small = admission.enter(address(3), 100);
  assert.equal(await settled(small), false);
  gone.abort();
  await assert.rejects(large, { code: "client_gone" });
  const releaseSmall = await small;
  assert.deepEqual(admission.state(), { active: 2, activeBytes: 700, waiting: 0 });
  first();
  releaseSmall();
});
