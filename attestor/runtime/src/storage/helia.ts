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

/** Reads a block and checks its SHA-256 against the CID's multihash. */
async function* verifiedGet(store: FsBlockstore, cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
  const bytes = await readAll(store.get(cid, options));
  if (cid.multihash.code === SHA2_256) {
    const digest = createHash("sha256").update(bytes).digest();
    if (!digest.equals(cid.multihash.digest)) throw new CorruptBlockError(cid);
  }
  yield bytes;
}

const verifying = (store: FsBlockstore): FsBlockstore =>
  new Proxy(store, {
    get(target, property, receiver) {
      if (property === "get") return (cid: CID, options?: { signal?: AbortSignal }) => verifiedGet(target, cid, options);
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

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
