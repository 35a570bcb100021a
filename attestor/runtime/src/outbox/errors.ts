/** The outbox's refusals: domain errors (`AttestorError`) with a kind, a stable code, a short message and details. */
import { AttestorError } from "../errors.js";

export class OutboxFullError extends AttestorError {
  override name = "OutboxFullError";
  declare readonly details: { pending: number; maxPending: number };
  constructor(details: { pending: number; maxPending: number }) {
    super(
      "unavailable",
      "outbox_full",
      `${details.pending} transactions are already waiting to be sent (at most ${details.maxPending}): try again later`,
      { details },
    );
  }
}

export class OutboxUnknownError extends AttestorError {
  override name = "OutboxUnknownError";
  constructor(id: number) {
    super("not_found", "outbox_unknown", `the outbox holds no transaction ${id}`, { details: { id } });
  }
}

export class OutboxWaitTimeoutError extends AttestorError {
  override name = "OutboxWaitTimeoutError";
  declare readonly details: { id: number; state: string; hash: string | null };
  constructor(details: { id: number; state: string; hash: string | null }, timeoutMs: number) {
    super(
      "unavailable",
      "outbox_timeout",
      `transaction ${details.id} was not mined within ${timeoutMs} ms (it is ${details.state}; the outbox keeps sending it)`,
      { details },
    );
  }
}

export class OutboxStoppedError extends AttestorError {
  override name = "OutboxStoppedError";
  constructor(id: number) {
    super(
      "unavailable",
      "outbox_stopped",
      `the outbox stopped before transaction ${id} was mined (it is kept, and sent after the next start)`,
      {
        details: { id },
      },
    );
  }
}
