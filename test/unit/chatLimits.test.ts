/**
 * A chat request's bounds (issue 13): max_new_tokens above the cap is refused by name (400), too many
 * messages or characters are refused as too large (413), and a request within them goes on, with a
 * max_new_tokens within the cap when it named none.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AttestorError } from "@provena/runtime";
import { boundChat } from "../../attestor/factory/src/chat.js";
import { DEFAULT_FACTORY_LIMITS, type ChatLimits } from "../../attestor/factory/src/config.js";

const limits: ChatLimits = { maxNewTokens: 512, maxMessages: 4, maxPromptChars: 100, replyTimeoutMs: 1_000 };
const user = (content: string) => ({ role: "user" as const, content });

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof AttestorError);
    return { kind: error.kind, code: error.code, message: error.message, details: error.details };
  }
  assert.fail("not refused");
};

test("max_new_tokens above the cap is refused with the cap and the value", () => {
  const refused = refusal(() => boundChat([user("hi")], { max_new_tokens: 1_000_000 }, limits));
  assert.deepEqual(refused, {
    kind: "invalid",
    code: "max_new_tokens_too_large",
    message: "max_new_tokens must be at most 512 here, not 1000000",
    details: { field: "max_new_tokens", limit: 512 },
  });
  assert.deepEqual(boundChat([user("hi")], { max_new_tokens: 512, temperature: 0 }, limits), { max_new_tokens: 512, temperature: 0 });
});

test("too many messages, or too many characters (stop strings included), are too large", () => {
  const many = refusal(() =>
    boundChat(
      Array.from({ length: 5 }, () => user("x")),
      {},
      limits,
    ),
  );
  assert.deepEqual(
    [many.kind, many.code, many.message],
    ["too_large", "too_many_messages", "a chat request carries at most 4 messages, not 5"],
  );
  const long = refusal(() => boundChat([user("x".repeat(101))], {}, limits));
  assert.deepEqual([long.kind, long.code], ["too_large", "prompt_too_long"]);
  assert.match(long.message, /at most 100 characters .*, not 101/);
  const stops = refusal(() => boundChat([user("x".repeat(60))], { stop: ["y".repeat(41)] }, limits));
  assert.equal(stops.code, "prompt_too_long");
  assert.doesNotThrow(() => boundChat([user("x".repeat(60)), user("y".repeat(40))], {}, limits));
});

test("a request naming no max_new_tokens gets the worker's default, or the cap when it is lower", () => {
  assert.equal(boundChat([user("hi")], {}, limits).max_new_tokens, 256);
  assert.equal(boundChat([user("hi")], {}, { ...limits, maxNewTokens: 64 }).max_new_tokens, 64);
  assert.equal(DEFAULT_FACTORY_LIMITS.chat.maxNewTokens, 512);
});
