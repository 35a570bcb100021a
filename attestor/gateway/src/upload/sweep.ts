/**
 * Uploads that never reached the chain are unpinned once their grace period is over: each pinned file
 * older than the grace period is looked up on chain; on chain, it is kept for good; not on chain, it is
 * unpinned (unless another live upload holds the same CID) and forgotten by the near-duplicate index. The
 * blocks go in one garbage collection at the end of the pass.
 */
import { Status, contributionId } from "@provena/common";
import { CID } from "multiformats/cid";
import type { Hex } from "viem";
import { type ChainView, transaction, type Db, forgetFingerprint, type ContentStore } from "@provena/runtime";
import { markContributed } from "./pending.js";

export type SweepOptions = { db: Db; store: ContentStore; chain: ChainView; graceSeconds: number; intervalMs: number; now?: () => number };

/** One pass; returns how many files were kept (on chain) and unpinned. */
export async function sweepOnce(options: SweepOptions): Promise<{ kept: number; unpinned: number }> {
  const { db, store, chain } = options;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const due = db
    .prepare(
      `SELECT f.upload_id, f.position, f.sha256, f.cid, u.datanet_id FROM upload_file f JOIN upload u ON u.id = f.upload_id
       WHERE f.state = 'pinned' AND u.created_at <= ? ORDER BY u.created_at LIMIT 500`,
    )
    .all(now() - options.graceSeconds) as { upload_id: string; position: number; sha256: Hex; cid: string; datanet_id: number }[];
  let kept = 0;
  let unpinned = 0;
  const setState = db.prepare("UPDATE upload_file SET state = ? WHERE upload_id = ? AND position = ?");
  for (const file of due) {
    const onChain = await chain.contribution(contributionId(BigInt(file.datanet_id), file.sha256));
    if (onChain.status !== Status.None) {
      markContributed(db, { uploadId: file.upload_id, position: file.position, datanetId: BigInt(file.datanet_id), sha256: file.sha256 });
      kept++;
      continue;
    }
    transaction(db, () => {
      setState.run("unpinned", file.upload_id, file.position);
      forgetFingerprint(db, BigInt(file.datanet_id), file.sha256);
    });
    const stillHeld = db.prepare("SELECT 1 FROM upload_file WHERE cid = ? AND state != 'unpinned' LIMIT 1").get(file.cid);
    if (!stillHeld) await store.unpin(CID.parse(file.cid));
    unpinned++;
  }
  // One collection for the whole pass (it walks every pin), and it waits for any add in progress.
  if (unpinned > 0) await store.collectGarbage();
  return { kept, unpinned };
}

export function startSweeper(options: SweepOptions) {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => sweepOnce(options)).catch((error: Error) => console.error(`sweeper: ${error.message}`));
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), idle: () => running };
}
