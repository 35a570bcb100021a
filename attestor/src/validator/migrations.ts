/** The validator's tables: its assessments, log cursor and jobs, and the verdict relay's queue and transactions. */
import type { Migration } from "../db.js";

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
    -- A submitVerdicts transaction, signed and stored before it is broadcast: after a crash the same bytes
    -- (same nonce) are sent again, so a batch can never be submitted twice.
    CREATE TABLE IF NOT EXISTS relay_tx (
      hash TEXT PRIMARY KEY,
      raw TEXT NOT NULL,
      nonce INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('signed', 'mined', 'reverted', 'dropped')),
      created_at INTEGER NOT NULL
    );
`,
  },
];
