/** The gateway's tables: uploads and their files, the near-duplicate indexes, sign-in nonces and sessions. */
import type { Migration } from "@provena/runtime";

export const migrations: readonly Migration[] = [
  {
    name: "gateway/1-uploads",
    sql: `
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
`,
  },
  {
    name: "gateway/2-near-duplicates",
    sql: `
    -- Content a Datanet holds or may soon hold, for near-duplicate checks: text MinHash band keys and image hashes.
    CREATE TABLE IF NOT EXISTS text_band (datanet_id INTEGER NOT NULL, band TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (datanet_id, band, sha256));
    CREATE TABLE IF NOT EXISTS text_signature (datanet_id INTEGER NOT NULL, sha256 TEXT NOT NULL, signature BLOB NOT NULL, PRIMARY KEY (datanet_id, sha256));
    CREATE TABLE IF NOT EXISTS image_hash (datanet_id INTEGER NOT NULL, sha256 TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (datanet_id, sha256));
`,
  },
  {
    name: "gateway/3-sign-in",
    sql: `
    CREATE TABLE IF NOT EXISTS nonce (value TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS session (token_hash TEXT PRIMARY KEY, address TEXT NOT NULL, chain_id INTEGER NOT NULL, expires_at INTEGER NOT NULL);
`,
  },
  {
    name: "gateway/4-quotas-and-pending-fingerprints",
    sql: `
    -- Uploads not yet contributed count against their contributor's allowance and disk quota.
    CREATE INDEX IF NOT EXISTS upload_contributor ON upload (contributor);
    -- Whose upload indexed the content (lower-case address), until it is seen on chain (NULL).
    ALTER TABLE text_signature ADD COLUMN owner TEXT;
    ALTER TABLE image_hash ADD COLUMN owner TEXT;
`,
  },
];
