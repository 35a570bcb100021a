/** The attestor's one map from domain errors to HTTP answers (attestor/runtime/src/http/status.ts). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { HttpRequestError } from "viem";
import { AttestorError, fail } from "../../attestor/runtime/src/errors.js";
import { errorAnswer } from "../../attestor/runtime/src/http/status.js";

describe("errorAnswer", () => {
  test("a domain error answers with its kind's status, its code, its message and its details", () => {
    const error = new AttestorError("rate_limited", "daily_bytes", "over today's allowance", { details: { allowance: { bytesLeft: 3 } } });
    assert.deepEqual(errorAnswer(error), {
      status: 429,
      body: { error: "daily_bytes", message: "over today's allowance", allowance: { bytesLeft: 3 } },
    });
  });

  test("each kind has its status", () => {
    const statuses = (
      [
        ["invalid", 400],
        ["unauthenticated", 401],
        ["forbidden", 403],
        ["not_found", 404],
        ["method_not_allowed", 405],
        ["conflict", 409],
        ["too_large", 413],
        ["unsupported_media", 415],
        ["refused", 422],
        ["rate_limited", 429],
        ["internal", 500],
        ["upstream", 502],
        ["unavailable", 503],
      ] as const
    ).map(([kind, status]) => [errorAnswer(new AttestorError(kind, "code", "message")).status, status]);
    for (const [got, expected] of statuses) assert.equal(got, expected);
  });

  test("fail throws the domain error, with its cause kept by the constructor", () => {
    assert.throws(
      () => fail("conflict", "already_final", "already Accepted", { field: "x" }),
      (e: unknown) =>
        e instanceof AttestorError && e.kind === "conflict" && e.shortMessage === "already Accepted" && e.details?.field === "x",
    );
    const cause = new Error("spawn failed");
    assert.equal(new AttestorError("unavailable", "chat_unavailable", "no worker", { cause }).cause, cause);
  });

  test("an unknown error is a bare 500 that leaks nothing; an unreachable chain node is 503", () => {
    const internal = errorAnswer(new Error("SQLITE_CORRUPT at /secret/path"));
    assert.equal(internal.status, 500);
    assert.equal(internal.body.error, "internal");
    assert.doesNotMatch(JSON.stringify(internal.body), /secret|SQLITE/);
    const unreachable = errorAnswer(new HttpRequestError({ url: "http://127.0.0.1:1", details: "fetch failed" }));
    assert.deepEqual([unreachable.status, unreachable.body.error], [503, "chain_unavailable"]);
  });
});
