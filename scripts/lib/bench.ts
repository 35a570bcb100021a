/** What the benchmarks share: percentiles, and undoing what they started on success, error or a signal. */

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** A `--name N` option (parseArgs gives strings) as an integer of at least `min`, or an error naming it. */
export function integerOption(values: Record<string, unknown>, name: string, min = 1): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}, not "${String(values[name])}"`);
  return value;
}

/**
 * Steps undone in reverse order by `cleanup()` (at the end, on error) and on SIGINT/SIGTERM (then exit 130).
 * A failing step is logged and the others still run.
 */
export function cleanups(log: (message: string) => void) {
  const steps: (() => Promise<unknown> | unknown)[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const step of steps.reverse()) {
        try {
          await step();
        } catch (error) {
          log(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })());
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void cleanup().then(() => process.exit(130));
    });
  }
  /** Runs the benchmark, then undoes everything; exits 1 with the error when it failed. */
  const run = async (main: () => Promise<void>) => {
    try {
      await main();
    } catch (error) {
      log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    } finally {
      await cleanup();
    }
    process.exit();
  };
  return { add: (step: () => Promise<unknown> | unknown) => void steps.push(step), cleanup, run };
}
