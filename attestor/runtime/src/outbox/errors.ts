/** The outbox's refusals, in the manner of viem's errors: a stable code, a short message, details. */

export class OutboxFullError extends Error {
  override name = "OutboxFullError";
  readonly code = "outbox_full";
  readonly shortMessage: string;
  readonly details: { pending: number; maxPending: number };
  constructor(details: OutboxFullError["details"]) {
    const shortMessage = `${details.pending} transactions are already waiting to be sent (at most ${details.maxPending}): try again later`;
    super(shortMessage);
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

export class OutboxUnknownError extends Error {
  override name = "OutboxUnknownError";
  readonly code = "outbox_unknown";
  readonly shortMessage: string;
  constructor(id: number) {
    const shortMessage = `the outbox holds no transaction ${id}`;
    super(shortMessage);
    this.shortMessage = shortMessage;
  }
}

export class OutboxWaitTimeoutError extends Error {
  override name = "OutboxWaitTimeoutError";
  readonly code = "outbox_timeout";
  readonly shortMessage: string;
  readonly details: { id: number; state: string; hash: string | null };
  constructor(details: OutboxWaitTimeoutError["details"], timeoutMs: number) {
    const shortMessage = `transaction ${details.id} was not mined within ${timeoutMs} ms (it is ${details.state}; the outbox keeps sending it)`;
    super(shortMessage);
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

export class OutboxStoppedError extends Error {
  override name = "OutboxStoppedError";
  readonly code = "outbox_stopped";
  readonly shortMessage: string;
  constructor(id: number) {
    const shortMessage = `the outbox stopped before transaction ${id} was mined (it is kept, and sent after the next start)`;
    super(shortMessage);
    this.shortMessage = shortMessage;
  }
}
