/**
 * Which queued training job runs next: round-robin across wallets rather than first come, first served,
 * so that one wallet's pile of jobs cannot starve another's. The wallet whose last job started least
 * recently (never: first of all) goes next, with its oldest queued job; ties go to the older job.
 */

/** A wallet's oldest queued job, and when (in start order) the wallet's last job started. */
export type QueueHead = { id: number; creator: string; lastStart: number | null };

/** The job to start next among each waiting wallet's oldest job, or undefined when none waits. */
export function pickNext(heads: readonly QueueHead[]): QueueHead | undefined {
  let best: QueueHead | undefined;
  for (const head of heads) {
    if (!best) best = head;
    else {
      const [a, b] = [head.lastStart ?? -1, best.lastStart ?? -1];
      if (a < b || (a === b && head.id < best.id)) best = head;
    }
  }
  return best;
}
