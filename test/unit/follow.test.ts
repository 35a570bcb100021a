/**
 * The rules behind following (issue 13, items 9 and 13): when the indexer counts as lagging, and how
 * Datanet metadata is fetched and checked (real files and a real HTTP server, bounded in time and size).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { cidOf, cidToString, DAG_PB_CODEC } from "@provena/common";
import { rawCidBytes } from "@provena/common/node";
import { checkpointBlock, lagReport, nextWaiting } from "../../indexer/src/lag.js";
import { createMetadataStore, resolveMetadata } from "../../indexer/src/metadata.js";
import { metadataSettings } from "../../indexer/src/settings.js";
import { followerError } from "@provena/validator";

const bounds = { maxLagBlocks: 10, maxLagMs: 3_000 };

test("lag: a few blocks behind briefly is following; many blocks, or the same head for long, is not", () => {
  let waiting = nextWaiting(undefined, 100, 100, 0);
  assert.equal(waiting, undefined);
  assert.equal(lagReport(100, 100, waiting, 0, bounds).following, true);
  waiting = nextWaiting(waiting, 100, 103, 1_000);
  assert.deepEqual(waiting, { block: 103, seenAt: 1_000 });
  assert.equal(lagReport(100, 103, waiting, 1_000, bounds).following, true);
  // Still short of 103 four seconds later (the head moved on meanwhile): not following.
  waiting = nextWaiting(waiting, 102, 104, 5_000);
  const stale = lagReport(102, 104, waiting, 5_000, bounds);
  assert.equal(stale.following, false);
  assert.match(stale.error!, /has not reached block 103, the head 4 s ago/);
  // Reaching it starts the clock again on the newer head.
  waiting = nextWaiting(waiting, 103, 104, 5_500);
  assert.deepEqual(waiting, { block: 104, seenAt: 5_500 });
  assert.equal(lagReport(103, 104, waiting, 5_500, bounds).following, true);
  const far = lagReport(103, 120, nextWaiting(waiting, 103, 120, 5_600), 5_600, bounds);
  assert.deepEqual([far.following, far.lagBlocks], [false, 17]);
  assert.match(far.error!, /17 blocks behind the chain head \(at most 10\)/);
  // Ponder's checkpoint: 10 digits of timestamp, 16 of chain id, 16 of block number, then more.
  assert.equal(checkpointBlock(`${"1".repeat(10)}${"31337".padStart(16, "0")}${"4242".padStart(16, "0")}${"0".repeat(33)}`), 4242);
});

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const rawCid = (bytes: Uint8Array): Hex => bytesToHex(rawCidBytes(bytes));

test("metadata: bounded in time and size, checked against raw and dag-pb CIDs, only profile CIDs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "provena-metadata-"));
  const served = new Map<string, Uint8Array | "stall" | "flood">();
  const server = createServer((request, response) => {
    const what = served.get(request.url?.replace("/ipfs/", "") ?? "");
    if (what === "stall") return;
    if (what === "flood") {
      response.on("error", () => {});
      return void response.end(Buffer.alloc(10 * 1024 * 1024, 0x20));
    }
    if (!what) return void response.writeHead(404).end();
    response.end(what);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const settings = {
      ...metadataSettings({ PROVENA_CONTENT_DIR: dir, PROVENA_METADATA_TIMEOUT_MS: "300" }),
      gateway: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    };
    const named = rawCid;
    const cidString = async (hex: Hex) => cidToString(hexToBytes(hex));

    const honest = json({ summary: "Recipes", license: "CC0-1.0" });
    served.set(await cidString(named(honest)), honest);
    assert.deepEqual(await resolveMetadata(named(honest), settings), {
      metadataStatus: "resolved",
      metadataError: null,
      summary: "Recipes",
      description: null,
      tags: null,
      license: "CC0-1.0",
    });

    const stalled = json({ stall: true });
    served.set(await cidString(named(stalled)), "stall");
    const start = performance.now();
    const slow = await resolveMetadata(named(stalled), settings);
    assert.deepEqual([slow.metadataStatus, slow.metadataError], ["unavailable", "the gateway did not answer within 300 ms"]);
    assert.ok(performance.now() - start < 2_000);

    const flooded = json({ flood: true });
    served.set(await cidString(named(flooded)), "flood");
    assert.equal((await resolveMetadata(named(flooded), settings)).metadataStatus, "too_large");
    // A local file over the cap is refused before it is read.
    const big = new Uint8Array(70_000).fill(0x20);
    writeFileSync(join(dir, await cidString(rawCid(big))), big);
    assert.equal((await resolveMetadata(rawCid(big), settings)).metadataStatus, "too_large");

    const claimed = json({ summary: "claimed" });
    served.set(await cidString(named(claimed)), json({ summary: "forged" }));
    assert.equal((await resolveMetadata(named(claimed), settings)).metadataStatus, "cid_mismatch");

    // A dag-pb CID (content over one chunk) is checked by rebuilding it from the bytes.
    const large = new Uint8Array([...json({ summary: "chunked" }), ...new Uint8Array(1_200_000).fill(0x20)]);
    const dagPb = await cidOf(large);
    assert.equal(dagPb.code, DAG_PB_CODEC);
    const wide = { ...settings, maxBytes: 2_000_000 };
    served.set(dagPb.toString(), large);
    assert.deepEqual((await resolveMetadata(bytesToHex(dagPb.bytes), wide)).summary, "chunked");
    served.set(dagPb.toString(), new Uint8Array(large).fill(0x20, 0, 1));
    assert.equal((await resolveMetadata(bytesToHex(dagPb.bytes), wide)).metadataStatus, "cid_mismatch");

    // Not a profile CID (SHA-512): not fetched at all.
    const sha512 = bytesToHex(new Uint8Array([0x01, 0x55, 0x13, 0x40, ...new Uint8Array(64)]));
    const unsupported = await resolveMetadata(sha512, settings);
    assert.equal(unsupported.metadataStatus, "unsupported_cid");
    assert.match(unsupported.metadataError!, /not SHA-256/);
    assert.equal((await resolveMetadata("0x1234", settings)).metadataStatus, "unsupported_cid");

    // The store answers at once, fetches at most `concurrency` at a time, and bumps its version per outcome.
    let inFlight = 0;
    let most = 0;
    const store = createMetadataStore({ ...settings, concurrency: 2 }, async (cid, s) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight -= 1;
      return resolveMetadata(cid, s);
    });
    const cids = [named(honest), named(claimed), named(flooded), rawCid(big), sha512];
    assert.ok(cids.every((cid) => store.get(cid).metadataStatus === "pending"));
    while (store.busy() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(most, 2);
    assert.equal(store.version(), cids.length);
    assert.deepEqual(
      cids.map((cid) => store.get(cid).metadataStatus),
      ["resolved", "cid_mismatch", "too_large", "too_large", "unsupported_cid"],
    );
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the validator's follower: following within 20 blocks and a head read within 2 minutes, else why not", () => {
  assert.match(followerError(undefined, 0)!, /not read the chain's head yet/);
  assert.equal(followerError({ headBlock: 50, lagBlocks: 20, headReadAt: 1_000 }, 2_000), null);
  assert.match(
    followerError({ headBlock: 50, lagBlocks: 21, headReadAt: 1_000 }, 2_000)!,
    /21 blocks behind the chain head \(at most 20\)/,
  );
  assert.match(followerError({ headBlock: 50, lagBlocks: 0, headReadAt: 0 }, 121_000)!, /not read the chain's head for 121 s/);
});
