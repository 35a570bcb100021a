import type { Migration } from "../db.js";

/**
 * The outbox's tables in the attestor's database (the runtime's migration, applied before the services'): the
 * transactions it was asked to send, every signed version of each (a fee bump is a new version with the
 * same nonce), and its own nonce counter per sending address.
 */
export const OUTBOX_SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox_nonce (sender TEXT PRIMARY KEY, next INTEGER NOT NULL);
-- One row per call to send. queued: no nonce yet; sent: signed with a nonce and broadcast (hash is the
-- latest version); mined / reverted: the version that was mined (hash); failed: never sent (error).
CREATE TABLE IF NOT EXISTS outbox_tx (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sender TEXT NOT NULL,
  label TEXT NOT NULL,
  to_address TEXT NOT NULL,
  data TEXT NOT NULL,
  gas_limit INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'mined', 'reverted', 'failed')),
  nonce INTEGER,
  hash TEXT,
  gas INTEGER,
  max_fee TEXT,
  priority_fee TEXT,
  bumps INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  block_number INTEGER,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_tx_state ON outbox_tx (sender, state, id);
-- Every signed version, stored before it is broadcast: after a crash the same bytes are sent again, and
-- whichever version was mined is found by its hash.
CREATE TABLE IF NOT EXISTS outbox_attempt (
  hash TEXT PRIMARY KEY,
  tx INTEGER NOT NULL REFERENCES outbox_tx(id),
  raw TEXT NOT NULL,
  signed_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_attempt_tx ON outbox_attempt (tx);
`;

export const outboxMigrations: readonly Migration[] = [{ name: "runtime/1-outbox", sql: OUTBOX_SCHEMA }];
