/**
 * The embedded IPFS node: Helia without networking (`createHeliaLight`), blocks and pins persisted under
 * the data folder, so content survives restarts. Blocks are re-hashed on every read: a block altered on
 * disk fails the read instead of being served.
 */
import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { unixfs } from "@helia/unixfs";
import { FsBlockstore } from "blockstore-fs";
import { FsDatastore } from "datastore-fs";
import { createHeliaLight } from "helia";
import type { CID } from "multiformats/cid";
import { CID_PROFILE } from "@provena/common";
import { createStoreLock } from "./lock.js";
import { readAll, type ContentStore } from "./store.js";

const SHA2_256 = 0x12;

export class CorruptBlockError extends Error {
  constructor(readonly cid: CID) {
    super(`block ${cid.toString()} does not match its CID: the stored copy is corrupt`);
  }
}

/** How long a block this process has just written is read back without re-hashing it (the pin walk of an add). */
const FRESH_MS = 60_000;

/**
 * The block store, every read of a block checked against the CID's SHA-256 — except a block this process
 * wrote in the last `FRESH_MS`: its bytes were hashed into that very CID a moment ago, and pinning a file
 * right after adding it reads all of its blocks back (4 MB hashed again, on the event loop, per 4 MB file).
 */
function verifying(store: FsBlockstore): FsBlockstore {
  const fresh = new Map<string, number>();
  const isFresh = (cid: CID) => {
    const at = fresh.get(cid.toString());
    return at !== undefined && Date.now() - at < FRESH_MS;
  };
  async function* get(cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
    const bytes = await readAll(store.get(cid, options));
    if (cid.multihash.code === SHA2_256 && !isFresh(cid)) {
      const digest = createHash("sha256").update(bytes).digest();
      if (!digest.equals(cid.multihash.digest)) throw new CorruptBlockError(cid);
    }
    yield bytes;
  }
  const put = async (cid: CID, ...rest: unknown[]) => {
    const stored = await (store.put as (cid: CID, ...rest: unknown[]) => Promise<CID>)(cid, ...rest);
    const now = Date.now();
    if (fresh.size > 10_000) for (const [key, at] of fresh) if (now - at >= FRESH_MS) fresh.delete(key);
    fresh.set(cid.toString(), now);
    return stored;
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === "get") return get;
      if (property === "put") return put;
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export async function openHeliaStore(directory: string): Promise<ContentStore> {
  await mkdir(directory, { recursive: true });
  const blockstore = new FsBlockstore(`${directory}/blocks`);
  const datastore = new FsDatastore(`${directory}/datastore`);
  await blockstore.open();
  await datastore.open();
  const helia = createHeliaLight({ blockstore: verifying(blockstore), datastore });
  await helia.start();
  const fs = unixfs(helia);
  const lock = createStoreLock();
  const drain = async (blocks: AsyncIterable<unknown>) => {
    for await (const _ of blocks);
  };

  return {
    kind: "helia",
    add: (bytes) =>
      lock.shared(async () => {
        const cid = await fs.addBytes(bytes, CID_PROFILE);
        if (!(await helia.pins.isPinned(cid))) await drain(helia.pins.add(cid));
        return cid;
      }),
    async size(cid, signal) {
      if (!(await helia.blockstore.has(cid))) return undefined;
      const stat = await fs.stat(cid, { signal, offline: true });
      return Number(stat.size);
    },
    cat: (cid, range) => fs.cat(cid, { offset: range?.offset, length: range?.length, signal: range?.signal, offline: true }),
    isPinned: (cid) => helia.pins.isPinned(cid),
    async unpin(cid) {
      if (await helia.pins.isPinned(cid)) await drain(helia.pins.rm(cid));
    },
    collectGarbage: () => lock.exclusive(() => helia.gc()),
    async close() {
      await helia.stop();
      await blockstore.close();
      await datastore.close();
    },
  };
}
