/**
 * Raw CIDs (CIDv1, raw codec, SHA-256) and the digest they name.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesToHex } from "viem";
import { rawCidDigest, rawCidOfDigest } from "@provena/common";
import { rawCidBytes, sha256 } from "@provena/common/node";

test("a raw CID names its content's SHA-256; other CIDs name no digest", () => {
  const content = new TextEncoder().encode("hello");
  const cid = bytesToHex(rawCidBytes(content));
  assert.equal(rawCidOfDigest(sha256(content)), cid);
  assert.equal(rawCidDigest(cid), sha256(content));
  assert.equal(rawCidDigest(cid.toUpperCase().replace("0X", "0x") as typeof cid), sha256(content));
  assert.equal(rawCidDigest(`0x01701220${sha256(content).slice(2)}`), undefined, "dag-pb");
  assert.equal(rawCidDigest(`${cid}00`), undefined, "trailing bytes");
});
