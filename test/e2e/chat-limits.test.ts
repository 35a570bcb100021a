/**
 * Chat replies are bounded in time and stop with their client (issue 13), on the real serve worker and a
 * tiny GPT-2 whose greedy replies run to the model's context: a client that goes away stops its reply in
 * the worker and frees the accelerator (the lock training takes too) at once; a reply past its time is
 * stopped with chat_timeout; either way the next reply is served whole by the same worker.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AttestorError } from "@provena/runtime";
import { createAcceleratorLock } from "../../attestor/factory/src/accelerator.js";
import { readModel, type BaseModel } from "../../attestor/factory/src/catalog.js";
import { createChat } from "../../attestor/factory/src/chat.js";
import { DEFAULT_FACTORY_LIMITS } from "../../attestor/factory/src/config.js";

const root = new URL("../..", import.meta.url).pathname;
const question = [{ role: "user" as const, content: "Tell me a long story" }];
const greedy = { temperature: 0, max_new_tokens: 512 };

describe("chat limits", () => {
  let modelsDir: string;
  let model: BaseModel;
  const lock = createAcceleratorLock({ maxWaiters: 4 });
  const chat = createChat({ accelerator: lock, limits: DEFAULT_FACTORY_LIMITS.chat, log: () => {} });
  const hasty = createChat({ accelerator: lock, limits: { ...DEFAULT_FACTORY_LIMITS.chat, replyTimeoutMs: 150 }, log: () => {} });

  before(() => {
    const tiny = execFileSync("bash", [join(root, "scripts/tiny-models.sh")], { encoding: "utf8" }).trim();
    modelsDir = mkdtempSync(join(tmpdir(), "provena-models-"));
    symlinkSync(join(tiny, "gpt2"), join(modelsDir, "tiny-gpt2"));
    model = readModel(modelsDir, "tiny-gpt2")!;
  });
  after(async () => {
    await chat.stop();
    await hasty.stop();
    rmSync(modelsDir, { recursive: true, force: true });
  });

  test("a client that goes away stops its reply in the worker and frees the accelerator; the next reply is whole", {
    timeout: 180_000,
  }, async () => {
    const whole = await chat.chat(model, undefined, question, greedy, () => {});
    assert.equal(whole.finish_reason, "length", "without a stop the reply runs to the model's context");
    let streamed = "";
    const client = new AbortController();
    const started = Date.now();
    await assert.rejects(
      chat.chat(
        model,
        undefined,
        question,
        greedy,
        (text) => {
          assert.equal(lock.holder(), "chat tiny-gpt2", "a reply holds the one accelerator lock");
          streamed += text;
          if (!client.signal.aborted) client.abort();
        },
        client.signal,
      ),
      (error: unknown) => error instanceof AttestorError && error.code === "client_gone",
    );
    assert.equal(lock.holder(), undefined, "the accelerator is free once the reply has stopped");
    assert.ok(streamed.length < whole.text.length, `stopped after ${streamed.length} of ${whole.text.length} characters`);
    assert.ok(Date.now() - started < 5_000, "stopped by the cancel, not by killing the worker");
    const next = await chat.chat(model, undefined, question, { temperature: 0, max_new_tokens: 3 }, () => {});
    assert.equal(next.completion_tokens, 3);
  });

  test("a reply past its time is stopped with chat_timeout, and the same worker answers the next", { timeout: 180_000 }, async () => {
    await hasty.chat(model, undefined, question, { temperature: 0, max_new_tokens: 1 }, () => {}); // loads the model
    await assert.rejects(
      hasty.chat(model, undefined, question, greedy, () => {}),
      (error: unknown) => error instanceof AttestorError && error.code === "chat_timeout" && /longer than 0.15 s/.test(error.message),
    );
    assert.equal(lock.holder(), undefined);
    const next = await hasty.chat(model, undefined, question, { temperature: 0, max_new_tokens: 3 }, () => {});
    assert.equal(next.completion_tokens, 3);
  });
});
