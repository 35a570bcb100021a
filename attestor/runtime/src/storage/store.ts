/**
 * Where file bytes live: the embedded Helia node by default, an external Kubo node when `IPFS_API_URL`
 * is set. Both store under the same CID profile (`@provena/common` cid.ts) and behind this one interface.
 */
import type { CID } from "multiformats/cid";
import type { Dag } from "@provena/common";

export type ReadRange = { offset?: number; length?: number; signal?: AbortSignal };

export type ContentStore = {
  /** "helia" or "kubo", for logs and the health endpoint. */
  kind: string;
  /**
   * Stores and pins `bytes`; resolves to their CID under the profile. `dag`: their blocks, already cut and
   * hashed (`dagOf`, on an inspection thread) — a store that writes blocks itself takes them as they are.
   */
  add(bytes: Uint8Array, dag?: Dag): Promise<CID>;
  /** The file's size, or undefined when this node does not hold it. */
  size(cid: CID, signal?: AbortSignal): Promise<number | undefined>;
  /** The file's bytes (or a range of them), each block checked against its CID as it is read. */
  cat(cid: CID, range?: ReadRange): AsyncIterable<Uint8Array>;
  isPinned(cid: CID): Promise<boolean>;
  /** Unpins; the blocks stay until the next `collectGarbage`. */
  unpin(cid: CID): Promise<void>;
  /** Deletes the blocks no pin holds, never those of an add in progress. */
  collectGarbage(): Promise<void>;
  close(): Promise<void>;
};

export const readAll = async (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> => {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  if (parts.length === 1) return parts[0]!; // one part, as a block read is: no copy
  const joined = Buffer.concat(parts);
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
};
