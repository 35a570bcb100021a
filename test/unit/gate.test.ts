/**
 * The gate on work a stranger can start (attestor/factory/src/gate.ts): at most `maxActive` tasks at once,
 * `maxWaiting` more in order, the rest refused at once; a failing task gives its turn back.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createGate } from "../../attestor/factory/src/gate.js";

test("at most maxActive run, maxWaiting wait in order, the rest are refused; turns pass on, failures included", async () => {
  const gate = createGate({ maxActive: 2, maxWaiting: 2 });
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const releases: (() => void)[] = [];
  const task =
    (n: number, fails = false) =>
    () =>
      new Promise<number>((resolve, reject) => {
        running++;
        most = Math.max(most, running);
        order.push(n);
        releases.push(() => {
          running--;
          if (fails) reject(new Error(`task ${n} failed`));
          else resolve(n);
        });
      });
  const failing = gate.run(task(1, true)).catch((error: Error) => error);
  const results = [gate.run(task(2)), gate.run(task(3)), gate.run(task(4))];
  assert.equal(await gate.run(task(5)), undefined, "the fifth is refused: 2 running, 2 waiting");
  assert.deepEqual(gate.state(), { active: 2, waiting: 2 });
  while (releases.length > 0 || running > 0) {
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.match(String(await failing), /task 1 failed/);
  assert.deepEqual(await Promise.all(results), [{ value: 2 }, { value: 3 }, { value: 4 }]);
  assert.deepEqual([most, order], [2, [1, 2, 3, 4]]);
  assert.deepEqual(gate.state(), { active: 0, waiting: 0 });
});
