/**
 * A shared/exclusive lock for the content store: adds (blocks written, then pinned) hold it shared, garbage
 * collection exclusive, so that a collection never runs between an add's blocks and its pin and deletes
 * them. A waiting collection goes before adds that come after it, so a steady stream of uploads cannot
 * put it off forever.
 */
export function createStoreLock() {
  let shared = 0;
  let exclusive = false;
  const queue: { kind: "shared" | "exclusive"; go: () => void }[] = [];

  const pump = () => {
    while (queue.length > 0) {
      const next = queue[0]!;
      if (next.kind === "shared" ? exclusive : exclusive || shared > 0) return;
      queue.shift();
      if (next.kind === "shared") shared++;
      else exclusive = true;
      next.go();
    }
  };
  const acquire = (kind: "shared" | "exclusive") =>
    new Promise<void>((go) => {
      queue.push({ kind, go });
      pump();
    });
  const run = async <T>(kind: "shared" | "exclusive", work: () => Promise<T>): Promise<T> => {
    await acquire(kind);
    try {
      return await work();
    } finally {
      if (kind === "shared") shared--;
      else exclusive = false;
      pump();
    }
  };

  return {
    shared: <T>(work: () => Promise<T>) => run("shared", work),
    exclusive: <T>(work: () => Promise<T>) => run("exclusive", work),
  };
}
