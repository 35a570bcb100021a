/**
 * How many uploads the gateway works on at once. An upload holds its files in memory while they are
 * checked (up to 20 × 5 MB), so the uploads read and checked at a time are bounded in bytes — each counts
 * the body length its request declares (one that declares none counts as the whole budget) — and in
 * number. Others wait in order, unread (their bytes stay in the client's socket), up to `maxWaiting`,
 * beyond which the gateway answers 503 with `Retry-After`. One address may have `maxPerAddress` uploads in
 * progress (waiting or active); its next is 429. Nothing here reads a body: it runs before one is.
 */
import { AttestorError } from "@provena/runtime";

export type AdmissionLimits = {
  /** Uploads read and checked at once. */
  maxActive: number;
  /** Their declared body bytes, together: the memory that uploads in progress may hold. */
  maxActiveBytes: number;
  maxWaiting: number;
  maxPerAddress: number;
};

/** Seconds a client refused for being one too many is asked to wait. */
export const BUSY_RETRY_SECONDS = 5;

type Waiting = { bytes: number; turn: () => void };

export function createAdmission(limits: AdmissionLimits) {
  let active = 0;
  let activeBytes = 0;
  const waiting: Waiting[] = [];
  const perAddress = new Map<string, number>();

  const fits = (bytes: number) => active < limits.maxActive && activeBytes + bytes <= limits.maxActiveBytes;
  const take = (bytes: number) => {
    active++;
    activeBytes += bytes;
  };
  const forget = (address: string) => {
    const left = (perAddress.get(address) ?? 1) - 1;
    if (left > 0) perAddress.set(address, left);
    else perAddress.delete(address);
  };
  // In order: a large upload at the head is not passed by smaller ones behind it, so none waits forever.
  const admitWaiting = () => {
    while (waiting.length > 0 && fits(waiting[0]!.bytes)) {
      const next = waiting.shift()!;
      take(next.bytes);
      next.turn();
    }
  };
  const release = (address: string, bytes: number) => {
    forget(address);
    active--;
    activeBytes -= bytes;
    admitWaiting();
  };
  const waitForTurn = (address: string, bytes: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const entry: Waiting = {
        bytes,
        turn: () => {
          signal?.removeEventListener("abort", leave);
          resolve();
        },
      };
      const leave = () => {
        const at = waiting.indexOf(entry);
        if (at >= 0) waiting.splice(at, 1);
        forget(address);
        // The one that left may have held back smaller ones behind it.
        admitWaiting();
        reject(new AttestorError("invalid", "client_gone", "the client went away while its upload waited"));
      };
      if (signal?.aborted) return leave();
      signal?.addEventListener("abort", leave, { once: true });
      waiting.push(entry);
    });

  /**
   * Waits for a turn for an upload whose body declares `declaredBytes` (undefined: it declares no length);
   * resolves to the function that gives the turn back (call it once, when done). A client gone while
   * waiting (`signal`) leaves the line.
   */
  async function enter(contributor: string, declaredBytes: number | undefined, signal?: AbortSignal): Promise<() => void> {
    const address = contributor.toLowerCase();
    const mine = perAddress.get(address) ?? 0;
    if (mine >= limits.maxPerAddress)
      throw new AttestorError(
        "rate_limited",
        "upload_in_progress",
        `${contributor} already has ${mine} upload${mine === 1 ? "" : "s"} in progress; send the next when it has been answered`,
        { retryAfterSeconds: BUSY_RETRY_SECONDS, details: { maxPerAddress: limits.maxPerAddress } },
      );
    const bytes = Math.min(declaredBytes ?? limits.maxActiveBytes, limits.maxActiveBytes);
    const now = waiting.length === 0 && fits(bytes);
    if (!now && waiting.length >= limits.maxWaiting)
      throw new AttestorError(
        "unavailable",
        "uploads_busy",
        `the gateway is working on ${active} uploads with ${waiting.length} waiting; try again shortly`,
        {
          retryAfterSeconds: BUSY_RETRY_SECONDS,
        },
      );
    perAddress.set(address, mine + 1);
    if (now) take(bytes);
    else await waitForTurn(address, bytes, signal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release(address, bytes);
    };
  }

  return { enter, state: () => ({ active, activeBytes, waiting: waiting.length }) };
}

export type Admission = ReturnType<typeof createAdmission>;
