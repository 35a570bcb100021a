/**
 * The attestor's own state in one embedded SQLite file under the data folder (node:sqlite): upload
 * records and near-duplicate indexes, sign-in nonces and sessions, the validator's assessments and log
 * cursor, the verdict relay's queue, the outbox that sends every transaction (`runtime/outbox`), and
 * ModelFactory's training jobs and their progress. Every write that must survive a crash is one transaction.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { OUTBOX_SCHEMA } from "./runtime/outbox/schema.js";

export type Db = DatabaseSync;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS upload (
  id TEXT PRIMARY KEY,
  contributor TEXT NOT NULL,
  datanet_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS upload_file (
  upload_id TEXT NOT NULL REFERENCES upload(id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  cid TEXT NOT NULL,
  size INTEGER NOT NULL,
  type_code INTEGER NOT NULL,
  details TEXT NOT NULL,
  -- pinned: waiting for its contribute transaction; contributed: on chain, kept; unpinned: grace period over
  state TEXT NOT NULL DEFAULT 'pinned' CHECK (state IN ('pinned', 'contributed', 'unpinned')),
  PRIMARY KEY (upload_id, position)
);
CREATE INDEX IF NOT EXISTS upload_file_cid ON upload_file (cid);
CREATE INDEX IF NOT EXISTS upload_file_state ON upload_file (state);
-- Content a Datanet holds or may soon hold, for near-duplicate checks: text MinHash band keys and image hashes.
CREATE TABLE IF NOT EXISTS text_band (datanet_id INTEGER NOT NULL, band TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (datanet_id, band, sha256));
CREATE TABLE IF NOT EXISTS text_signature (datanet_id INTEGER NOT NULL, sha256 TEXT NOT NULL, signature BLOB NOT NULL, PRIMARY KEY (datanet_id, sha256));
CREATE TABLE IF NOT EXISTS image_hash (datanet_id INTEGER NOT NULL, sha256 TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (datanet_id, sha256));
CREATE TABLE IF NOT EXISTS nonce (value TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS session (token_hash TEXT PRIMARY KEY, address TEXT NOT NULL, chain_id INTEGER NOT NULL, expires_at INTEGER NOT NULL);
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
`;

export function openDb(path: string): Db {
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  retireRelayTx(db);
  db.exec(OUTBOX_SCHEMA);
  db.exec(SCHEMA);
  return db;
}

/**
 * A database from before the outbox has the relay's own `relay_tx` table of signed transactions: its
 * verdicts in flight go back to the queue (the relay checks each against the chain before sending it
 * again, and the contract counts a vote once), and the table makes way for the view.
 */
function retireRelayTx(db: Db) {
  const found = db.prepare("SELECT type FROM sqlite_master WHERE name = 'relay_tx'").get() as { type: string } | undefined;
  if (found?.type !== "table") return;
  transaction(db, () => {
    db.exec("UPDATE verdict SET state = 'queued', tx_hash = NULL WHERE state = 'sent'");
    db.exec("DROP TABLE relay_tx");
  });
}

/** Runs `work` in one transaction: all of its writes or none. */
export function transaction<T>(db: Db, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
