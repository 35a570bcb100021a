/**
 * The shared ranking rule and the API's parameter parsing, as pure functions.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Address } from "viem";
import { RATE_SCALE, compareRank, decodeCursor, encodeCursor, rateKey, type RankKey } from "@provena/common";
import { ParameterError, parseContributionsQuery, parseLeaderboardQuery } from "../../indexer/src/api/params.js";

const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => `0x${Buffer.from(bytes).toString("hex")}` as Address);
const key = fc.record({
  scoreSum: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  rateKey: fc.bigInt({ min: 0n, max: RATE_SCALE }),
  reachedAt: fc.bigInt({ min: 0n, max: 2n ** 64n }),
  contributor: address,
});

test("rate keys order exactly as the fractions do, and equal fractions tie", () => {
  fc.assert(
    fc.property(fc.nat(1_000_000), fc.nat(1_000_000), fc.nat(1_000_000), fc.nat(1_000_000), (a, r, b, s) => {
      const left = a * (b + s);
      const right = b * (a + r);
      const [x, y] = [rateKey(a, r), rateKey(b, s)];
      if (a + r === 0 || b + s === 0) return true;
      assert.equal(Math.sign(Number(x - y)), Math.sign(left - right));
    }),
  );
  assert.equal(rateKey(0, 0), 0n);
  assert.equal(rateKey(3, 0), RATE_SCALE);
});

test("score first, then acceptance rate, then who reached it first, then address", () => {
  const base: RankKey = {
    scoreSum: 100n,
    rateKey: rateKey(1, 1),
    reachedAt: 50n,
    contributor: "0x00000000000000000000000000000000000000bb",
  };
  assert.ok(compareRank({ ...base, scoreSum: 101n, rateKey: 0n, reachedAt: 99n }, base) < 0);
  assert.ok(compareRank({ ...base, rateKey: rateKey(2, 1), reachedAt: 99n }, base) < 0);
  assert.ok(compareRank({ ...base, reachedAt: 49n }, base) < 0);
  assert.ok(compareRank({ ...base, contributor: "0x00000000000000000000000000000000000000aa" }, base) < 0);
  assert.equal(compareRank(base, { ...base }), 0);
});

test("the order is total and antisymmetric; cursors round-trip", () => {
  fc.assert(
    fc.property(key, key, (a, b) => {
      assert.equal(Math.sign(compareRank(a, b)) + Math.sign(compareRank(b, a)), 0);
      if (compareRank(a, b) === 0) assert.deepEqual({ ...a }, { ...b });
      assert.deepEqual(decodeCursor(encodeCursor(a)), { ...a });
    }),
  );
  for (const bad of ["", "garbage", Buffer.from("1.2.3").toString("base64url"), Buffer.from("1.2.3.0xzz").toString("base64url")]) {
    assert.equal(decodeCursor(bad), undefined, bad);
  }
});

test("query parameters: defaults, and errors that name the parameter", () => {
  assert.deepEqual(parseLeaderboardQuery({}), { window: "all", limit: 25 });
  assert.deepEqual(parseLeaderboardQuery({ datanet: "7", window: "30d", limit: "100" }), { datanet: 7n, window: "30d", limit: 100 });
  const rejects = (parse: () => unknown, parameter: string) =>
    assert.throws(
      parse,
      (error: unknown) => error instanceof ParameterError && error.parameter === parameter && error.message.startsWith(`${parameter}: `),
    );
  rejects(() => parseLeaderboardQuery({ window: "24h" }), "window");
  rejects(() => parseLeaderboardQuery({ limit: "1.5" }), "limit");
  rejects(() => parseLeaderboardQuery({ datanet: "4294967296" }), "datanet");
  rejects(() => parseLeaderboardQuery({ page: "2" }), "page");
  rejects(() => parseContributionsQuery({ contributor: "0xZZ" }), "contributor");
  assert.equal(
    parseContributionsQuery({ contributor: "0xABCDEF0123456789ABCDEF0123456789ABCDEF01" }).contributor,
    "0xabcdef0123456789abcdef0123456789abcdef01",
  );
});
