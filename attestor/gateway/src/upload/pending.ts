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

/** Pending files remembered as absent, at most. */
const MAX_REMEMBERED = 100_000;

type PinnedRow = { upload_id: string; position: number; sha256: Hex; size: number; datanet_id: number; created_at: number };

/** Records a file of an upload as on chain: kept for good, and its fingerprint in everyone's way. */
export function markContributed(db: Db, file: { uploadId: string; position: number; datanetId: bigint; sha256: Hex }) {
  transaction(db, () => {
    db.prepare("UPDATE upload_file SET state = 'contributed' WHERE upload_id = ? AND position = ?").run(file.uploadId, file.position);
    confirmFingerprint(db, file.datanetId, file.sha256);
  });
}

/**
 * `pendingOf(contributor, …)` over the database and the chain. A file seen absent from the chain at a block
 * is not looked up again until the chain has moved past that block: one `eth_blockNumber` per call rather
 * than a read per pending file while nothing is mined.
 */
export function createPendingTracker(db: Db, chain: ChainView) {
  const absentAt = new Map<string, bigint>();
  const keyOf = (row: PinnedRow) => `${row.upload_id}:${row.position}`;

  async function onChain(rows: PinnedRow[]): Promise<boolean[]> {
    if (rows.length === 0) return [];
    if (absentAt.size > MAX_REMEMBERED) absentAt.clear(); // files unpinned since; looked up again if still pending
    const head = await chain.client.getBlockNumber({ cacheTime: 0 });
    return Promise.all(
      rows.map(async (row) => {
        if (absentAt.get(keyOf(row)) === head) return false;
        const found = (await chain.contribution(contributionId(BigInt(row.datanet_id), row.sha256))).status !== Status.None;
        if (found) absentAt.delete(keyOf(row));
        else absentAt.set(keyOf(row), head);
        return found;
      }),
    );
  }

  return async function pendingOf(contributor: Address, options: { now: number; graceSeconds: number }): Promise<Pending> {
    const pinned = db
      .prepare(
        `SELECT f.upload_id, f.position, f.sha256, f.size, u.datanet_id, u.created_at FROM upload_file f JOIN upload u ON u.id = f.upload_id
         WHERE u.contributor = ? AND f.state = 'pinned'`,
      )
      .all(contributor) as PinnedRow[];
    // Bounded by the per-address quota on pending files, which `upload` enforces.
    const contributed = await onChain(pinned);
    return totalsOf(db, pinned, contributed, options);
  };
}

export type PendingTracker = ReturnType<typeof createPendingTracker>;

function totalsOf(db: Db, pinned: PinnedRow[], contributed: boolean[], options: { now: number; graceSeconds: number }): Pending {
  const today = utcDay(options.now);
  const totals: Pending = { all: { files: 0, bytes: 0 }, today: { files: 0, bytes: 0 }, firstExpiry: undefined };
  for (const [i, row] of pinned.entries()) {
    if (contributed[i]) {
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

/** What a new upload may take of today's allowance on chain, once today's uploads not yet contributed have theirs. */
export const uploadable = (allowance: { bytesLeft: number; filesLeft: number }, reserved: PendingTotals) => ({
  bytes: Math.max(0, allowance.bytesLeft - reserved.bytes),
  files: Math.max(0, allowance.filesLeft - reserved.files),
});

/** Bytes pinned by every upload not yet seen on chain (an over-estimate: some may have been contributed since). */
export const pinnedBytes = (db: Db): number =>
  (db.prepare("SELECT COALESCE(SUM(size), 0) AS bytes FROM upload_file WHERE state = 'pinned'").get() as { bytes: number }).bytes;
