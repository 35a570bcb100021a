/**
 * The loop of a background worker (the validator, the relay): `tick` until stopped. After a tick with
 * nothing to do it waits `idleMs`, or less when `wake()` is called; after a failed tick (the RPC node
 * down, say) it waits `retryMs`, doubling up to 30 s, and a wake does not cut that wait short.
 */
export function backgroundLoop(options: { tick: () => Promise<boolean>; idleMs: number; retryMs: number; log: (line: string) => void }) {
  const stopper = new AbortController();
  let wakeUp: (() => void) | undefined;
  let loop: Promise<void> | undefined;

  const pause = (ms: number, wakeable: boolean) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stopper.signal.removeEventListener("abort", done);
        wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      stopper.signal.addEventListener("abort", done, { once: true });
      if (wakeable) wakeUp = done;
    });

  const start = () => {
    loop = (async () => {
      let backoff = options.retryMs;
      while (!stopper.signal.aborted) {
        try {
          const worked = await options.tick();
          backoff = options.retryMs;
          if (!worked) await pause(options.idleMs, true);
        } catch (error) {
          options.log(`retrying in ${backoff} ms: ${(error as Error).message.split("\n")[0]}`);
          await pause(backoff, false);
          backoff = Math.min(backoff * 2, 30_000);
        }
      }
    })();
  };

  const stop = async () => {
    stopper.abort();
    await loop;
  };

  return { start, stop, wake: () => wakeUp?.() };
}
