/**
 * ModelFactory's one accelerator lock: first come first served, given back when the work throws, a
 * waiter that aborts leaves the line, and a full line refuses by name.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AcceleratorBusyError, createAcceleratorLock } from "../../attestor/factory/src/accelerator.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("holders take the lock in the order they asked for it, one at a time", async () => {
  const lock = createAcceleratorLock({ maxWaiters: 10 });
  const order: string[] = [];
  let inside = 0;
  const work = (name: string) =>
    lock.use({ purpose: name }, async () => {
      inside += 1;
      assert.equal(inside, 1, "never two at once");
      order.push(`${name}:start`);
      await tick();
      await tick();
      order.push(`${name}:end`);
      inside -= 1;
      return name;
    });
  const results = await Promise.all(["train", "evaluate", "chat", "chat2"].map(work));
  assert.deepEqual(results, ["train", "evaluate", "chat", "chat2"]);
  assert.deepEqual(order, [
    "train:start",
    "train:end",
    "evaluate:start",
    "evaluate:end",
    "chat:start",
    "chat:end",
    "chat2:start",
    "chat2:end",
  ]);
  assert.equal(lock.holder(), undefined);
});

test("work that throws gives the lock back to the next in line", async () => {
  const lock = createAcceleratorLock({ maxWaiters: 2 });
  const failing = lock.use({ purpose: "train job 1" }, async () => {
    await tick();
    throw new Error("worker crashed");
  });
  const next = lock.use({ purpose: "evaluate job 1" }, async () => lock.holder());
  await assert.rejects(failing, /worker crashed/);
  assert.equal(await next, "evaluate job 1");
  assert.equal(lock.holder(), undefined);
});

test("a waiter whose signal aborts leaves the line; the others keep their turn", async () => {
  const lock = createAcceleratorLock({ maxWaiters: 3 });
  const release = await lock.acquire({ purpose: "train job 1" });
  const stopper = new AbortController();
  const gone = lock.acquire({ purpose: "chat a", signal: stopper.signal });
  const stays = lock.acquire({ purpose: "chat b" });
  assert.equal(lock.waiting(), 2);
  stopper.abort(new Error("the client went away"));
  await assert.rejects(gone, /the client went away/);
  assert.equal(lock.waiting(), 1);
  release();
  release(); // a second release is harmless: it must not hand the lock on twice
  const releaseB = await stays;
  assert.equal(lock.holder(), "chat b");
  assert.equal(lock.waiting(), 0);
  releaseB();
  assert.equal(lock.holder(), undefined);
  // An already aborted signal never joins the line.
  const aborted = AbortSignal.abort(new Error("too late"));
  await assert.rejects(lock.acquire({ purpose: "chat c", signal: aborted }), /too late/);
  assert.equal(lock.holder(), undefined);
});

test("past the bound of waiters, acquiring refuses at once with a typed error", async () => {
  const lock = createAcceleratorLock({ maxWaiters: 1 });
  const release = await lock.acquire({ purpose: "train job 7" });
  const waiting = lock.acquire({ purpose: "evaluate job 7" });
  const refused = await lock.acquire({ purpose: "chat tiny-gpt2" }).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(refused instanceof AcceleratorBusyError, String(refused));
  assert.equal(refused.code, "accelerator_busy");
  assert.deepEqual(refused.details, { holder: "train job 7", waiting: 1, maxWaiters: 1 });
  assert.match(refused.message, /train job 7.*chat tiny-gpt2/);
  release();
  (await waiting)();
  assert.equal(lock.holder(), undefined);
});
