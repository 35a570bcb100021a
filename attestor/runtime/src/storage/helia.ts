/**
 * The embedded IPFS node: Helia without networking (`createHeliaLight`), blocks and pins persisted under
 * the data folder, so content survives restarts. Blocks are re-hashed on every read from disk: a block
 * altered on disk fails the read instead of being served.
 */
import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { unixfs } from "@helia/unixfs";
import { FsBlockstore } from "blockstore-fs";
import { FsDatastore } from "datastore-fs";
import { createHeliaLight } from "helia";
import { CID } from "multiformats/cid";
import { CID_PROFILE, type Dag, dagBlocks } from "@provena/common";
import { createStoreLock } from "./lock.js";
import { readAll, type ContentStore } from "./store.js";

const SHA2_256 = 0x12;

export class CorruptBlockError extends Error {
  constructor(readonly cid: CID) {
    super(`block ${cid.toString()} does not match its CID: the stored copy is corrupt`);
  }
}

/** Blocks this process has just written, kept in memory for the pin walk of their add: the last 64 MiB, for a minute at most. */
const RECENT_BYTES = 64 * 1_048_576;
const RECENT_MS = 60_000;

/**
 * The block store, every read of a block from disk checked against the CID's SHA-256. A block this process
 * has just written is served from memory instead: its bytes were hashed into that very CID a moment ago,
 * and pinning a file right after adding it reads every block back (4 MB read from disk and hashed again,
 * on the event loop, per 4 MB file).
 */
function verifying(store: FsBlockstore): FsBlockstore {
  const recent = new Map<string, { bytes: Uint8Array; at: number }>();
  let recentBytes = 0;
  const forget = (key: string) => {
    const entry = recent.get(key);
    if (!entry) return;
    recent.delete(key);
    recentBytes -= entry.bytes.length;
  };
  const remember = (cid: CID, bytes: Uint8Array) => {
    const key = cid.toString();
    forget(key);
    if (bytes.length > RECENT_BYTES) return;
    const now = Date.now();
    recent.set(key, { bytes, at: now });
    recentBytes += bytes.length;
    // Oldest first (a Map keeps insertion order): over the budget, or too old.
    for (const [oldest, entry] of recent) {
      if (recentBytes <= RECENT_BYTES && now - entry.at < RECENT_MS) break;
      forget(oldest);
    }
  };
  async function* get(cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
    const hit = recent.get(cid.toString());
    if (hit && Date.now() - hit.at < RECENT_MS) {
      yield hit.bytes;
      return;
    }
    const bytes = await readAll(store.get(cid, options));
    if (cid.multihash.code === SHA2_256) {
      const digest = createHash("sha256").update(bytes).digest();
      if (!digest.equals(cid.multihash.digest)) throw new CorruptBlockError(cid);
    }
    yield bytes;
  }
  const put = async (cid: CID, bytes: Uint8Array, ...rest: unknown[]) => {
    const stored = await (store.put as (cid: CID, bytes: Uint8Array, ...rest: unknown[]) => Promise<CID>)(cid, bytes, ...rest);
    remember(cid, bytes);
    return stored;
  };
  const del = async (cid: CID, ...rest: unknown[]) => {
    forget(cid.toString());
    return (store.delete as (cid: CID, ...rest: unknown[]) => Promise<void>)(cid, ...rest);
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === "get") return get;
      if (property === "put") return put;
      if (property === "delete") return del;
      const value = Reflect.get(target, property, receiver);
      // Bound to the proxy, so that putMany, getMany and deleteMany go through put, get and delete above.
      return typeof value === "function" ? value.bind(receiver) : value;
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
  // The blocks an inspection thread cut and hashed: written as they are, not imported (cut and hashed) again.
  const putDag = async (bytes: Uint8Array, dag: Dag) => {
    for (const block of dagBlocks(bytes, dag)) await helia.blockstore.put(block.cid, block.bytes);
    return CID.decode(dag.root);
  };

  return {
    kind: "helia",
    add: (bytes, dag) =>
      lock.shared(async () => {
        const cid = dag ? await putDag(bytes, dag) : await fs.addBytes(bytes, CID_PROFILE);
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
