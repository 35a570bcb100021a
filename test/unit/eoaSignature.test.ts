/** An account's verdict signature as the ledger's ECDSA check takes it (attestor/validator/src/relay/check.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Hex } from "viem";
import { eoaSignature } from "../../attestor/validator/src/relay/check.js";

const r = "11".repeat(32);
const lowS = `7${"0".repeat(63)}`;
const highS = `f${"0".repeat(63)}`;
const code = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

test("an account's signature: 65 bytes, v 27 or 28 (0 and 1 rewritten), low s; the rest refused by name", () => {
  assert.equal(eoaSignature(`0x${r}${lowS}1b`), `0x${r}${lowS}1b`);
  assert.equal(eoaSignature(`0x${r}${lowS}1C` as Hex), `0x${r}${lowS}1c`);
  assert.equal(eoaSignature(`0x${r}${lowS}00`), `0x${r}${lowS}1b`);
  assert.equal(eoaSignature(`0x${r}${lowS}01`), `0x${r}${lowS}1c`);
  assert.equal(
    code(() => eoaSignature(`0x${r}${highS}1b`)),
    "malleable_signature",
  );
  assert.equal(
    code(() => eoaSignature(`0x${r}${lowS}02`)),
    "bad_signature_format",
  );
  assert.equal(
    code(() => eoaSignature(`0x${r}${lowS}`)),
    "bad_signature_format",
  ); // 64 bytes (EIP-2098): the chain refuses it
});
