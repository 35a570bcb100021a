/**
 * Raw CIDs (CIDv1, raw codec, SHA-256) and the digest they name; a file's blocks under the profile.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesToHex } from "viem";
import { createHash } from "node:crypto";
import { CID } from "multiformats/cid";
import { CHUNK_BYTES, cidOf, dagBlocks, dagOf, rawCidDigest, rawCidOfDigest } from "@provena/common";
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

test("dagOf gives the blocks a store writes: the profile's CID, every leaf a slice of the file hashing to its CID", async () => {
  for (const size of [1_000, CHUNK_BYTES, 2 * CHUNK_BYTES + 123, 4 * CHUNK_BYTES + 1_000]) {
    const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 2654435761) >>> 24);
    const dag = await dagOf(bytes);
    assert.equal(CID.decode(dag.root).toString(), (await cidOf(bytes)).toString(), `${size}`);
    const blocks = dagBlocks(bytes, dag);
    assert.equal(dag.blocks.length, Math.ceil(size / CHUNK_BYTES));
    assert.equal(dag.nodes.length, size > CHUNK_BYTES ? 1 : 0);
    for (const block of blocks) {
      const digest = createHash("sha256").update(block.bytes).digest();
      assert.deepEqual(Buffer.from(block.cid.multihash.digest), digest, `block ${block.cid} of ${size}`);
    }
    // The leaves cover the file once, in order of their offsets.
    let covered = 0;
    for (const block of [...dag.blocks].sort((a, b) => a.offset - b.offset)) {
      assert.equal(block.offset, covered);
      covered += block.length;
    }
    assert.equal(covered, size);
  }
});
