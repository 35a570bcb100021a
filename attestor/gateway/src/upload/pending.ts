/**
 * A contributor's uploads not yet contributed: what they hold on this node's disk, and what today's of them
 * reserve of the daily allowance (the chain counts a file only once `contribute` lands, so without this one
 * sign-in could pin any number of allowances' worth of files). A file found on chain meanwhile is marked
 * contributed on the way.
 */
import { Status, contributionId, utcDay } from "@provena/common";
import type { Address, Hex } from "viem";
import { type ChainView, confirmFingerprint, type Db, transaction } from "@provena/runtime";

export type PendingTotals = { files: number; bytes: number };
export type Pending = {
  /** Everything of the contributor's still pinned and not on chain. */
  all: PendingTotals;
  /** Of those, the uploads of today (UTC): they reserve today's allowance. */
  today: PendingTotals;
  /** When the oldest of them is unpinned, if none is contributed before (seconds). */
  firstExpiry: number | undefined;
};

type PinnedRow = { upload_id: string; position: number; sha256: Hex; size: number; datanet_id: number; created_at: number };

/** Records a file of an upload as on chain: kept for good, and its fingerprint in everyone's way. */
export function markContributed(db: Db, file: { uploadId: string; position: number; datanetId: bigint; sha256: Hex }) {
  transaction(db, () => {
    db.prepare("UPDATE upload_file SET state = 'contributed' WHERE upload_id = ? AND position = ?").run(file.uploadId, file.position);
    confirmFingerprint(db, file.datanetId, file.sha256);
  });
}

export async function pendingOf(
  db: Db,
  chain: ChainView,
  contributor: Address,
  options: { now: number; graceSeconds: number },
): Promise<Pending> {
  const pinned = db
    .prepare(
      `SELECT f.upload_id, f.position, f.sha256, f.size, u.datanet_id, u.created_at FROM upload_file f JOIN upload u ON u.id = f.upload_id
       WHERE u.contributor = ? AND f.state = 'pinned'`,
    )
    .all(contributor) as PinnedRow[];
  // Bounded by the per-address quota on pending files, which `upload` enforces.
  const standing = await Promise.all(pinned.map((row) => chain.contribution(contributionId(BigInt(row.datanet_id), row.sha256))));
  const today = utcDay(options.now);
  const totals: Pending = { all: { files: 0, bytes: 0 }, today: { files: 0, bytes: 0 }, firstExpiry: undefined };
  for (const [i, row] of pinned.entries()) {
    if (standing[i]!.status !== Status.None) {
      markContributed(db, { uploadId: row.upload_id, position: row.position, datanetId: BigInt(row.datanet_id), sha256: row.sha256 });
      continue;
    }
    totals.all.files++;
    totals.all.bytes += row.size;
    if (utcDay(row.created_at) === today) {
      totals.today.files++;
      totals.today.bytes += row.size;
    }
    const expiry = row.created_at + options.graceSeconds;
    totals.firstExpiry = Math.min(totals.firstExpiry ?? expiry, expiry);
  }
  return totals;
}

/** Bytes pinned by every upload not yet seen on chain (an over-estimate: some may have been contributed since). */
export const pinnedBytes = (db: Db): number =>
  (db.prepare("SELECT COALESCE(SUM(size), 0) AS bytes FROM upload_file WHERE state = 'pinned'").get() as { bytes: number }).bytes;
