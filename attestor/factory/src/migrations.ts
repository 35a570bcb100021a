/** ModelFactory's tables: training jobs and their progress messages. */
import type { Migration } from "@provena/runtime";

export const migrations: readonly Migration[] = [
  {
    name: "factory/1-training-jobs",
    sql: `
    CREATE TABLE IF NOT EXISTS train_job (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      creator TEXT NOT NULL,
      base_model TEXT NOT NULL,
      datanets TEXT NOT NULL,
      dataset_block INTEGER NOT NULL,
      settings TEXT NOT NULL,
      parent_job INTEGER REFERENCES train_job(id),
      state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
      error_code TEXT,
      error TEXT,
      checkpoint TEXT,
      metrics TEXT,
      model_id TEXT,
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      finished_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS train_job_state ON train_job (state, id);
    CREATE TABLE IF NOT EXISTS train_event (
      job INTEGER NOT NULL REFERENCES train_job(id),
      seq INTEGER NOT NULL,
      message TEXT NOT NULL,
      PRIMARY KEY (job, seq)
    );
`,
  },
  {
    // The fair queue: the order in which jobs started (each start, resumes included), to pick the wallet
    // whose last start is oldest; and counting a wallet's live jobs for its quota.
    name: "factory/2-fair-queue",
    sql: `
    ALTER TABLE train_job ADD COLUMN start_seq INTEGER;
    CREATE INDEX IF NOT EXISTS train_job_creator ON train_job (creator, state);
`,
  },
];
