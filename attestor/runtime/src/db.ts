/**
 * The attestor's own state in one embedded SQLite file under the data folder (node:sqlite). Each service
 * owns its tables and brings their migrations (`<service>/migrations.ts`): the runtime's outbox (every
 * transaction sent, `outbox/schema.ts`); the gateway's uploads, near-duplicate indexes, nonces and
 * sessions; the validator's assessments, log cursor, jobs and the relay's queue; ModelFactory's training
 * jobs and their progress. Every write that must survive a crash is one transaction.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

export type Db = DatabaseSync;

/** One step of a service's schema, applied once, in order, and recorded by name. */
export type Migration = { name: string; sql: string };

export function openDb(path: string): Db {
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // WAL with synchronous NORMAL: a commit is in the log before COMMIT returns, so it survives the process
  // crashing; only an OS crash or power loss can take back the last commits (never corrupt the file). FULL
  // added an fsync per commit on the event loop, which waits on ext4 for every block file written before it
  // (the uploads' content): 0.5 s of a 4 MB upload wave blocked there.
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  return db;
}

/**
 * Applies the migrations not yet recorded, each in one transaction with its record. Their SQL creates
 * only what is missing (IF NOT EXISTS), so a database from before the migrations were recorded takes them too.
 */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec("CREATE TABLE IF NOT EXISTS migration (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const applied = db.prepare("SELECT 1 FROM migration WHERE name = ?");
  const record = db.prepare("INSERT INTO migration (name, applied_at) VALUES (?, ?)");
  for (const migration of migrations) {
    if (applied.get(migration.name)) continue;
    transaction(db, () => {
      db.exec(migration.sql);
      record.run(migration.name, Math.floor(Date.now() / 1000));
    });
  }
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
