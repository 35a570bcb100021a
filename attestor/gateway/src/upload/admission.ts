/**
 * How many uploads the gateway works on at once. An upload holds its files in memory while they are
 * checked (up to 20 × 5 MB), so at most `maxActive` are read and checked at a time; others wait, unread
 * (their bytes stay in the client's socket), up to `maxWaiting`, beyond which the gateway answers 503 with
 * `Retry-After`. One address may have `maxPerAddress` uploads in progress (waiting or active); its next
 * is 429. Nothing here reads a body: it runs before one is.
 */
import { AttestorError } from "@provena/runtime";

export type AdmissionLimits = { maxActive: number; maxWaiting: number; maxPerAddress: number };

/** Seconds a client refused for being one too many is asked to wait. */
export const BUSY_RETRY_SECONDS = 5;

export function createAdmission(limits: AdmissionLimits) {
  let active = 0;
  const waiting: (() => void)[] = [];
  const perAddress = new Map<string, number>();

  const forget = (address: string) => {
    const left = (perAddress.get(address) ?? 1) - 1;
    if (left > 0) perAddress.set(address, left);
    else perAddress.delete(address);
  };
  const release = (address: string) => {
    forget(address);
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  const waitForTurn = (address: string, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener("abort", leave);
        resolve();
      };
      const leave = () => {
        const at = waiting.indexOf(turn);
        if (at >= 0) waiting.splice(at, 1);
        forget(address);
        reject(new AttestorError("invalid", "client_gone", "the client went away while its upload waited"));
      };
      if (signal?.aborted) return leave();
      signal?.addEventListener("abort", leave, { once: true });
      waiting.push(turn);
    });

  /**
   * Waits for a turn; resolves to the function that gives it back (call it once, when done). A client gone
   * while waiting (`signal`) leaves the line.
   */
  async function enter(contributor: string, signal?: AbortSignal): Promise<() => void> {
    const address = contributor.toLowerCase();
    const mine = perAddress.get(address) ?? 0;
    if (mine >= limits.maxPerAddress)
      throw new AttestorError(
        "rate_limited",
        "upload_in_progress",
        `${contributor} already has ${mine} upload${mine === 1 ? "" : "s"} in progress; send the next when it has been answered`,
        { retryAfterSeconds: BUSY_RETRY_SECONDS, details: { maxPerAddress: limits.maxPerAddress } },
      );
    if (active >= limits.maxActive && waiting.length >= limits.maxWaiting)
      throw new AttestorError(
        "unavailable",
        "uploads_busy",
        `the gateway is working on ${active} uploads with ${waiting.length} waiting; try again shortly`,
        {
          retryAfterSeconds: BUSY_RETRY_SECONDS,
        },
      );
    perAddress.set(address, mine + 1);
    // A turn is handed over by `release` without `active` going down and up, so none is taken twice.
    if (active < limits.maxActive) active++;
    else await waitForTurn(address, signal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release(address);
    };
  }

  return { enter, state: () => ({ active, waiting: waiting.length }) };
}

export type Admission = ReturnType<typeof createAdmission>;
