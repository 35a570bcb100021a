/**
 * The one accelerator lock: training, evaluation and chat each run a worker on the same device, so each
 * takes this lock first. First come, first served; a bounded line of waiters (past it, `acquire` refuses
 * at once with `AcceleratorBusyError` instead of queueing without end); a waiter whose signal aborts
 * leaves the line; `use` releases whatever way its work ends.
 */
import { AttestorError } from "@provena/runtime";

/** The attestor's bound: enough for a few people chatting while a job trains, not an unbounded pile-up. */
export const ACCELERATOR_MAX_WAITERS = 16;

export type AcceleratorLockParameters = {
  /** How many may wait while one holds the lock. */
  maxWaiters: number;
};

export type AcquireParameters = {
  /** Who takes it ("train job 3", "chat tiny-gpt2"): named in errors and by `holder()`. */
  purpose: string;
  /** Aborting it while waiting takes the waiter out of the line (the promise rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
};

/** Gives the lock back; calling it again does nothing. */
export type Release = () => void;

export class AcceleratorBusyError extends AttestorError {
  override name = "AcceleratorBusyError";
  declare readonly details: { holder: string | undefined; waiting: number; maxWaiters: number };
  constructor(purpose: string, details: { holder: string | undefined; waiting: number; maxWaiters: number }) {
    super(
      "unavailable",
      "accelerator_busy",
      `the accelerator is busy (${details.holder ?? "in use"}, ${details.waiting} waiting): ${purpose} cannot queue now`,
      { details },
    );
  }
}

type Waiter = { purpose: string; grant: (release: Release) => void };

export function createAcceleratorLock({ maxWaiters }: AcceleratorLockParameters) {
  const line: Waiter[] = [];
  let holder: string | undefined;

  const releaser = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = line.shift();
      holder = next?.purpose;
      next?.grant(releaser());
    };
  };

  /** Resolves with a release once the lock is this caller's. */
  function acquire({ purpose, signal }: AcquireParameters): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (holder === undefined) {
      holder = purpose;
      return Promise.resolve(releaser());
    }
    if (line.length >= maxWaiters) return Promise.reject(new AcceleratorBusyError(purpose, { holder, waiting: line.length, maxWaiters }));
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        purpose,
        grant: (release) => {
          signal?.removeEventListener("abort", leave);
          resolve(release);
        },
      };
      const leave = () => {
        const at = line.indexOf(waiter);
        if (at >= 0) line.splice(at, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", leave, { once: true });
      line.push(waiter);
    });
  }

  /** Runs `work` holding the lock, and gives it back when the work ends, returns or throws. */
  async function use<T>(parameters: AcquireParameters, work: () => Promise<T>): Promise<T> {
    const release = await acquire(parameters);
    try {
      return await work();
    } finally {
      release();
    }
  }

  return { acquire, use, holder: () => holder, waiting: () => line.length };
}

export type AcceleratorLock = ReturnType<typeof createAcceleratorLock>;
