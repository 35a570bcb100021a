/**
 * The content store, on the embedded Helia node and on a real Kubo node (when a Kubo binary is there):
 * both compute the profile's CIDs, serve ranges, pin and unpin, collect garbage without touching an add in
 * progress; Helia keeps content across restarts and refuses a block altered on disk.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cidOf, cidToString, dagOf, MB } from "@provena/common";
import { rawCidBytes } from "@provena/common/node";
import { openHeliaStore } from "../../attestor/runtime/src/storage/helia.js";
import { openKuboStore } from "../../attestor/runtime/src/storage/kubo.js";
import { readAll, type ContentStore } from "../../attestor/runtime/src/storage/index.js";
import { startKubo } from "../helpers/kubo.js";

const bytesOf = (size: number, seed: number) => {
  const out = new Uint8Array(size);
  let state = seed;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
};

function conformance(name: string, open: () => Promise<{ store: ContentStore; stop: () => Promise<void> } | undefined>) {
  describe(`content store: ${name}`, () => {
    let store: ContentStore | undefined;
    let stop: () => Promise<void> = async () => {};
    before(async () => {
      const opened = await open();
      if (opened) ({ store, stop } = opened);
    });
    after(() => stop());

    test("CIDs follow the profile: raw for one chunk, a DAG beyond; content and ranges read back", async (t) => {
      if (!store) return t.skip(`${name} is not available here`);
      const small = bytesOf(1_000, 1);
      const exactChunk = bytesOf(MB, 2);
      const large = bytesOf(2 * MB + 123, 3);
      for (const bytes of [small, exactChunk, large]) {
        const cid = await store.add(bytes);
        assert.equal(cid.toString(), (await cidOf(bytes)).toString());
        assert.equal(await store.size(cid), bytes.length);
        assert.equal(await store.isPinned(cid), true);
        assert.deepEqual(await readAll(store.cat(cid)), bytes);
        const middle = await readAll(store.cat(cid, { offset: bytes.length - 700, length: 500 }));
        assert.deepEqual(middle, bytes.subarray(bytes.length - 700, bytes.length - 200));
      }
      assert.equal((await store.add(small)).toString(), cidToString(rawCidBytes(small)));
      // Added with its blocks already cut and hashed (as the gateway's inspection threads hand them over): the same file.
      const handed = bytesOf(3 * MB + 7, 4);
      const cid = await store.add(handed, await dagOf(handed));
      assert.equal(cid.toString(), (await cidOf(handed)).toString());
      assert.equal(await store.isPinned(cid), true);
      assert.deepEqual(await readAll(store.cat(cid)), handed);
      const largeCid = await cidOf(large);
      assert.equal(largeCid.code, 0x70, "dag-pb root");
    });

    test("unpin releases the content", async (t) => {
      if (!store) return t.skip(`${name} is not available here`);
      // One block, and a DAG: collected right after they were written, neither is served any more (not even
      // from the memory of blocks just written).
      for (const bytes of [bytesOf(5_000, 9), bytesOf(2 * MB + 1, 10)]) {
        const cid = await store.add(bytes);
        await store.unpin(cid);
        assert.equal(await store.isPinned(cid), false);
        await store.unpin(cid); // idempotent
        await store.collectGarbage();
        assert.equal(await store.size(cid), undefined, "collected");
        await assert.rejects(readAll(store.cat(cid)), "a collected file is not served");
      }
    });

    test("garbage collection running all along never takes the blocks of an add in progress", async (t) => {
      if (!store) return t.skip(`${name} is not available here`);
      const files = Array.from({ length: 12 }, (_, i) => bytesOf(MB + 4_096 * i, 100 + i)); // DAGs: blocks, then the pin
      let adding = true;
      let collections = 0;
      const collector = (async () => {
        while (adding) {
          await store!.collectGarbage();
          collections++;
        }
      })();
      const cids = await Promise.all(files.map((bytes) => store!.add(bytes)));
      adding = false;
      await collector;
      assert.ok(collections > 0);
      await store.collectGarbage();
      for (const [i, cid] of cids.entries()) assert.deepEqual(await readAll(store.cat(cid)), files[i], `file ${i} whole`);
    });
  });
}

const heliaDir = mkdtempSync(join(tmpdir(), "provena-helia-"));
conformance("embedded Helia", async () => {
  const store = await openHeliaStore(heliaDir);
  return { store, stop: () => store.close() };
});
conformance("external Kubo", async () => {
  const kubo = await startKubo();
  if (!kubo) return undefined;
  const store = await openKuboStore(kubo.apiUrl);
  return {
    store,
    stop: async () => {
      await store.close();
      await kubo.stop();
    },
  };
});

describe("embedded Helia persistence and integrity", () => {
  const dir = mkdtempSync(join(tmpdir(), "provena-helia-"));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(heliaDir, { recursive: true, force: true });
  });

  test("content and pins survive a restart; a block altered on disk is refused, not served", async () => {
    const bytes = bytesOf(1_500_000, 4);
    let store = await openHeliaStore(dir);
    const cid = await store.add(bytes);
    await store.close();
    store = await openHeliaStore(dir);
    assert.equal(await store.isPinned(cid), true);
    assert.deepEqual(await readAll(store.cat(cid)), bytes);
    await store.close();

    // Flip one byte of the largest block file (a leaf of the file).
    const blocks = join(dir, "blocks");
    const files: string[] = [];
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(blocks);
    const leaf = files.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const { readFileSync } = await import("node:fs");
    const content = readFileSync(leaf);
    content[100] = content[100]! ^ 0xff;
    writeFileSync(leaf, content);

    store = await openHeliaStore(dir);
    await assert.rejects(readAll(store.cat(cid)), /does not match its CID/);
    await store.close();
  });
});
