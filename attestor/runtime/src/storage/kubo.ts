/**
 * An external Kubo node through its RPC API (`IPFS_API_URL`, e.g. http://127.0.0.1:5001). Files are
 * added with the same profile as the embedded node; a node that answers another CID than the profile's
 * is misconfigured, and the add is refused rather than recorded under a CID nobody else would compute.
 */
import { create } from "kubo-rpc-client";
import type { CID } from "multiformats/cid";
import { cidOf, KUBO_ADD_OPTIONS } from "@provena/common";
import type { ContentStore } from "./store.js";

export async function openKuboStore(apiUrl: string): Promise<ContentStore> {
  const kubo = create({ url: apiUrl });
  await kubo.id(); // fail at start, with the URL in the message, rather than on the first upload
  /** Kubo answers "not pinned" with an error. */
  const pinned = async (cid: CID) => {
    try {
      for await (const pin of kubo.pin.ls({ paths: [cid], type: "recursive" })) if (pin.cid.toString() === cid.toString()) return true;
    } catch (error) {
      if (/not pinned/.test((error as Error).message)) return false;
      throw error;
    }
    return false;
  };
  return {
    kind: "kubo",
    async add(bytes) {
      const expected = await cidOf(bytes);
      const { cid } = await kubo.add(bytes, { ...KUBO_ADD_OPTIONS, pin: true });
      // Compared as strings: Kubo's client may bring its own copy of multiformats.
      if (cid.toString() !== expected.toString()) {
        await kubo.pin.rm(cid).catch(() => undefined);
        throw new Error(`Kubo at ${apiUrl} stored the file as ${cid.toString()}, not ${expected.toString()}: check its import settings`);
      }
      return cid;
    },
    async size(cid, signal) {
      try {
        const stat = await kubo.files.stat(`/ipfs/${cid.toString()}`, { signal, withLocal: true });
        return stat.local === false ? undefined : Number(stat.size);
      } catch {
        return undefined;
      }
    },
    cat: (cid, range) => kubo.cat(cid, { offset: range?.offset, length: range?.length, signal: range?.signal }),
    isPinned: pinned,
    async unpin(cid) {
      if (await pinned(cid)) await kubo.pin.rm(cid);
    },
    // Kubo adds and pins in one step under its own GC lock: nothing of an add in progress is collected.
    async collectGarbage() {
      for await (const _ of kubo.repo.gc());
    },
    close: async () => undefined,
  };
}
