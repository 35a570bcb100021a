/** Each service's migrations (attestor/src/{gateway,validator,factory}/migrations.ts), applied by db.ts's `migrate`. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrations as factory } from "../../attestor/factory/src/migrations.js";
import { migrations as gateway } from "../../attestor/gateway/src/migrations.js";
import { outboxMigrations as runtime } from "../../attestor/runtime/src/outbox/schema.js";
import { migrations as validator } from "../../attestor/validator/src/migrations.js";
import { migrate, openDb, type Db } from "../../attestor/runtime/src/db.js";

const TABLES = [
  "assessment",
  "cursor",
  "cursor_block",
  "image_hash",
  "job",
  "migration",
  "nonce",
  "outbox_attempt",
  "outbox_nonce",
  "outbox_tx",
  "relay_batch",
  "session",
  "text_band",
  "text_signature",
  "train_event",
  "train_job",
  "upload",
  "upload_file",
  "verdict",
];
const all = [...runtime, ...gateway, ...validator, ...factory];

const withDb = (work: (db: Db) => void) => {
  const dir = mkdtempSync(join(tmpdir(), "provena-migrations-"));
  const db = openDb(join(dir, "attestor.db"));
  try {
    work(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
const tables = (db: Db) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]
  ).map((row) => row.name);
const applied = (db: Db) => (db.prepare("SELECT name FROM migration ORDER BY rowid").all() as { name: string }[]).map((row) => row.name);

describe("migrations", () => {
  test("the three services' migrations create every table once, and are recorded by name", () => {
    withDb((db) => {
      migrate(db, all);
      assert.deepEqual(tables(db), TABLES);
      assert.deepEqual(
        applied(db),
        all.map((m) => m.name),
      );
      db.prepare("INSERT INTO upload (id, contributor, datanet_id, created_at) VALUES ('u', '0x', 1, 0)").run();
      migrate(db, all); // already recorded: nothing runs again, nothing is lost
      assert.deepEqual(
        applied(db),
        all.map((m) => m.name),
      );
      assert.equal((db.prepare("SELECT count(*) AS n FROM upload").get() as { n: number }).n, 1);
    });
  });

  test("a database from before migrations were recorded takes them over its tables", () => {
    withDb((db) => {
      db.exec(
        "CREATE TABLE upload (id TEXT PRIMARY KEY, contributor TEXT NOT NULL, datanet_id INTEGER NOT NULL, created_at INTEGER NOT NULL)",
      );
      db.prepare("INSERT INTO upload (id, contributor, datanet_id, created_at) VALUES ('old', '0x', 1, 0)").run();
      migrate(db, all);
      assert.deepEqual(tables(db), TABLES);
      assert.equal((db.prepare("SELECT id FROM upload").get() as { id: string }).id, "old");
    });
  });

  test("names are unique and each service's are its own", () => {
    assert.equal(new Set(all.map((m) => m.name)).size, all.length);
    for (const [service, list] of [
      ["runtime", runtime],
      ["gateway", gateway],
      ["validator", validator],
      ["factory", factory],
    ] as const)
      for (const m of list) assert.ok(m.name.startsWith(`${service}/`), m.name);
  });
});
