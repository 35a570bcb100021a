/** The validator's tables: its assessments, log cursor and jobs, and the verdict relay's queue and batches (sent by the outbox). */
import type { Migration } from "@provena/runtime";

export const migrations: readonly Migration[] = [
  {
    name: "validator/1-assessments-and-jobs",
    sql: `
    CREATE TABLE IF NOT EXISTS assessment (
      contribution TEXT PRIMARY KEY,
      datanet_id INTEGER NOT NULL,
      accept INTEGER NOT NULL,
      score INTEGER NOT NULL,
      reason INTEGER NOT NULL,
      explanation TEXT NOT NULL,
      checks TEXT NOT NULL,
      assessed_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS cursor (name TEXT PRIMARY KEY, block INTEGER NOT NULL);
    -- The automatic validator's work: one row per contribution to a Datanet it validates.
    CREATE TABLE IF NOT EXISTS job (
      contribution TEXT PRIMARY KEY,
      datanet_id INTEGER NOT NULL,
      content_hash TEXT NOT NULL,
      cid TEXT NOT NULL,
      size INTEGER NOT NULL,
      file_type INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_at INTEGER NOT NULL,
      done INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS job_due ON job (done, next_at);
`,
  },
  {
    name: "validator/2-relay",
    sql: `
    -- One row per (contribution, validator): the primary key is what makes the relay idempotent.
    CREATE TABLE IF NOT EXISTS verdict (
      contribution TEXT NOT NULL,
      validator TEXT NOT NULL,
      accept INTEGER NOT NULL,
      score INTEGER NOT NULL,
      reason INTEGER NOT NULL,
      deadline INTEGER NOT NULL,
      signature TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'done', 'failed')),
      tx_hash TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      error TEXT,
      received_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (contribution, validator)
    );
    CREATE INDEX IF NOT EXISTS verdict_state ON verdict (state, received_at);
`,
  },
  {
    // Needs the runtime's outbox tables (@provena/runtime, outbox/schema.ts), migrated first.
    name: "validator/3-relay-through-outbox",
    sql: `
    -- Before the outbox the relay kept its own signed transactions (a relay_tx table): its verdicts in
    -- flight go back to the queue (the relay checks each against the chain before sending it again, and
    -- the contract counts a vote once), and the table makes way for a view over the outbox.
    UPDATE verdict SET state = 'queued', tx_hash = NULL WHERE state = 'sent';
    DROP TABLE IF EXISTS relay_tx;
    -- The verdicts of each batch the relay handed to the outbox (one submitVerdicts call each).
    CREATE TABLE IF NOT EXISTS relay_batch (
      outbox_id INTEGER NOT NULL REFERENCES outbox_tx(id),
      contribution TEXT NOT NULL,
      validator TEXT NOT NULL,
      PRIMARY KEY (outbox_id, contribution, validator)
    );
    CREATE INDEX IF NOT EXISTS relay_batch_verdict ON relay_batch (contribution, validator);
    -- The relay's transactions as they read before the outbox: each signed version of a submitVerdicts call.
    CREATE VIEW IF NOT EXISTS relay_tx AS
    SELECT a.hash, a.raw, t.nonce,
      CASE WHEN a.hash IS NOT t.hash THEN 'dropped' WHEN t.state = 'sent' THEN 'signed' ELSE t.state END AS state,
      a.signed_at AS created_at
    FROM outbox_attempt a JOIN outbox_tx t ON t.id = a.tx
    WHERE t.label = 'submitVerdicts';
`,
  },
  {
    name: "validator/4-follower-reorgs-and-job-errors",
    sql: `
    -- The block each job's event came from (a reorg above it sends the job back to be checked again),
    -- and the last error a job met (an attempt that failed is counted, backed off and logged).
    ALTER TABLE job ADD COLUMN block INTEGER;
    ALTER TABLE job ADD COLUMN error TEXT;
    CREATE INDEX IF NOT EXISTS job_block ON job (block);
    -- The hash of each recent block a cursor stopped at: how a reorg below the cursor is seen.
    CREATE TABLE IF NOT EXISTS cursor_block (name TEXT NOT NULL, block INTEGER NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (name, block));
`,
  },
  {
    name: "validator/5-relay-failures",
    sql: `
    -- Batches a verdict was in that the chain refused (reverted, or would revert): the relay sends it in
    -- smaller batches each time, and drops it past a bound, so that one poisoned verdict cannot hold the rest.
    ALTER TABLE verdict ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
`,
  },
];
