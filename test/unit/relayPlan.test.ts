/** The relay's batch rules: batches halve with each refusal a verdict was in, a bound on refusals, the gas budget. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BATCH_GAS, VERDICT_GAS, batchGasBudget, batchSizeAfter, maxFailuresFor } from "../../attestor/validator/src/relay/plan.js";

test("a verdict refused in f batches goes in batches of at most maxBatch / 2^f, and alone at last", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((failures) => batchSizeAfter(failures, 50)),
    [50, 25, 12, 6, 3, 1, 1, 1],
  );
  assert.equal(batchSizeAfter(0, 1), 1);
});

test("a verdict is dropped after enough refusals to be alone, then two alone", () => {
  assert.equal(maxFailuresFor(50), 8); // 50 → 25 → 12 → 6 → 3 → 1 (5 halvings, 6 rounded up), then 2
  assert.equal(batchSizeAfter(maxFailuresFor(50) - 2, 50), 1);
  assert.equal(maxFailuresFor(4), 4);
  assert.equal(maxFailuresFor(1), 2);
});

test("a batch's gas budget: one share per transaction and one per verdict", () => {
  assert.equal(batchGasBudget(1), BATCH_GAS + VERDICT_GAS);
  assert.equal(batchGasBudget(50), BATCH_GAS + 50n * VERDICT_GAS);
});
