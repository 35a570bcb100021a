/**
 * Answers computed from the index, kept for as long as the database's visible state is unchanged.
 *
 * The version is the database snapshot (`pg_current_snapshot()`): two equal snapshots see exactly
 * the same committed rows, so a cached answer is never served after a write it did not see, a reorg
 * that rebuilds a block at the same height included. Reading the snapshot is itself a query, so one
 * read serves every request that arrives while it is in flight or within `reuseMs` of its start:
 * an answer then reflects every write committed more than `reuseMs` before its request. Identical
 * concurrent requests share one computation.
 */
export type SnapshotCache = <T>(key: string, compute: () => Promise<T>) => Promise<T>;

export type SnapshotCacheOptions = { maxEntries?: number; reuseMs?: number };

export function snapshotCache(
  readSnapshot: () => Promise<string>,
  { maxEntries = 500, reuseMs = 10 }: SnapshotCacheOptions = {},
): SnapshotCache {
  let read: { snapshot: Promise<string>; startedAt: number; done: boolean } | undefined;
  let version: string | undefined;
  let entries = new Map<string, Promise<unknown>>();

  const currentSnapshot = () => {
    if (read && (!read.done || performance.now() - read.startedAt <= reuseMs)) return read.snapshot;
    const current = { snapshot: readSnapshot(), startedAt: performance.now(), done: false };
    read = current;
    current.snapshot.then(
      () => {
        current.done = true;
      },
      () => {
        if (read === current) read = undefined;
      },
    );
    return current.snapshot;
  };

  return async <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    const snapshot = await currentSnapshot();
    if (snapshot !== version) {
      version = snapshot;
      entries = new Map();
    }
    const hit = entries.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    // The computation starts after the snapshot was read, so it sees that state or a newer one:
    // an answer can be newer than its version, never older.
    const answer = compute();
    const generation = entries;
    if (generation.size >= maxEntries) generation.delete(generation.keys().next().value!);
    generation.set(key, answer);
    answer.catch(() => {
      if (generation.get(key) === answer) generation.delete(key);
    });
    return answer;
  };
}
