/**
 * A bound on work a stranger can start: at most `maxActive` tasks run at once, `maxWaiting` more wait in
 * order, and past that `run` refuses at once (the caller answers 503 with Retry-After). Used where each
 * request costs a process (a training spec is checked by the Python worker's own rules).
 */
export type GateLimits = { maxActive: number; maxWaiting: number };

export type Gate = {
  /** Runs `task` when a turn is free; resolves to undefined without running it when the line is full. */
  run<T>(task: () => Promise<T>): Promise<{ value: T } | undefined>;
  state(): { active: number; waiting: number };
};

export function createGate(limits: GateLimits): Gate {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    // The turn passes to the next in line without `active` going down and up.
    if (next) next();
    else active--;
  };
  return {
    async run(task) {
      if (active >= limits.maxActive) {
        if (waiting.length >= limits.maxWaiting) return undefined;
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else active++;
      try {
        return { value: await task() };
      } finally {
        release();
      }
    },
    state: () => ({ active, waiting: waiting.length }),
  };
}
