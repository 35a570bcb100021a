/**
 * The outbox's pure rules (fee bumps within a cap, gas within a bound, what a node's refusal means) and
 * its migration of a database from before it (the relay's own relay_tx table).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { migrate, openDb } from "../../attestor/runtime/src/db.js";
import { outboxMigrations as outbox } from "../../attestor/runtime/src/outbox/schema.js";
import { migrations as validator } from "../../attestor/validator/src/migrations.js";
import {
  bumpedFees,
  cappedFees,
  gasWithMargin,
  isAlreadyKnown,
  isFeeTooLow,
  isNonceTooLow,
  raisedFees,
} from "../../attestor/runtime/src/outbox/rules.js";

test("a stuck transaction's fees rise by the percentage, both of them, and stop at the cap", () => {
  const bounds = { bumpPercent: 20, maxFeePerGas: 300n };
  assert.deepEqual(bumpedFees({ maxFeePerGas: 100n, maxPriorityFeePerGas: 10n }, bounds), {
    maxFeePerGas: 120n,
    maxPriorityFeePerGas: 12n,
  });
  // Rounded up, so that a small fee still rises.
  assert.deepEqual(bumpedFees({ maxFeePerGas: 3n, maxPriorityFeePerGas: 1n }, bounds), { maxFeePerGas: 4n, maxPriorityFeePerGas: 2n });
  assert.deepEqual(bumpedFees({ maxFeePerGas: 280n, maxPriorityFeePerGas: 280n }, bounds), {
    maxFeePerGas: 300n,
    maxPriorityFeePerGas: 300n,
  });
  assert.equal(bumpedFees({ maxFeePerGas: 300n, maxPriorityFeePerGas: 5n }, bounds), undefined);
  assert.deepEqual(cappedFees({ maxFeePerGas: 500n, maxPriorityFeePerGas: 400n }, 300n), {
    maxFeePerGas: 300n,
    maxPriorityFeePerGas: 300n,
  });
  assert.deepEqual(cappedFees({ maxFeePerGas: 50n, maxPriorityFeePerGas: 2n }, 300n), { maxFeePerGas: 50n, maxPriorityFeePerGas: 2n });
});

test("gas is the estimate with a fifth more, never past the bound", () => {
  assert.equal(gasWithMargin(100_000n, 1_000_000n), 120_000n);
  assert.equal(gasWithMargin(900_000n, 1_000_000n), 1_000_000n);
});

test("node refusals are told apart: nonce taken, already known, anything else", () => {
  assert.ok(isNonceTooLow("Nonce too low. Expected nonce to be 5 but got 4."));
  assert.ok(isNonceTooLow("nonce has already been used"));
  assert.ok(isAlreadyKnown("already known"));
  assert.ok(isAlreadyKnown("replacement transaction underpriced"));
  for (const other of ["insufficient funds for gas * price + value", "fetch failed"]) {
    assert.ok(!isNonceTooLow(other) && !isAlreadyKnown(other) && !isFeeTooLow(other), other);
  }
  // Refused for its fees (Hardhat, geth): not in the pool, unlike a replacement refused while ours is there.
  for (const refused of [
    "Transaction maxFeePerGas (1) is too low for the next block, which has a baseFeePerGas of 604197615",
    "max fee per gas less than block base fee: address 0x…, maxFeePerGas: 1, baseFee: 7",
    "transaction underpriced: tip needed 1000000000, tip permitted 1",
  ]) {
    assert.ok(isFeeTooLow(refused) && !isAlreadyKnown(refused), refused);
  }
  assert.ok(!isFeeTooLow("Replacement transaction underpriced. A gasPrice/maxPriorityFeePerGas of at least 2 is necessary"));
});

test("fees refused as too low are signed again with the higher of a bump and the node's estimate, within the cap", () => {
  const bounds = { bumpPercent: 20, maxFeePerGas: 1_000n };
  const previous = { maxFeePerGas: 100n, maxPriorityFeePerGas: 10n };
  // A stale estimate: the node's current one is far higher.
  assert.deepEqual(raisedFees(previous, { maxFeePerGas: 700n, maxPriorityFeePerGas: 50n }, bounds), {
    maxFeePerGas: 700n,
    maxPriorityFeePerGas: 50n,
  });
  // The node's estimate no higher than what it refused: the bump.
  assert.deepEqual(raisedFees(previous, { maxFeePerGas: 90n, maxPriorityFeePerGas: 9n }, bounds), {
    maxFeePerGas: 120n,
    maxPriorityFeePerGas: 12n,
  });
  assert.deepEqual(raisedFees(previous, { maxFeePerGas: 5_000n, maxPriorityFeePerGas: 5_000n }, bounds), {
    maxFeePerGas: 1_000n,
    maxPriorityFeePerGas: 1_000n,
  });
  assert.equal(
    raisedFees({ maxFeePerGas: 1_000n, maxPriorityFeePerGas: 1n }, { maxFeePerGas: 9_000n, maxPriorityFeePerGas: 1n }, bounds),
    undefined,
  );
});

test("a database from before the outbox: its relay_tx table becomes the view, its verdicts in flight go back to the queue", () => {
  const dir = mkdtempSync(join(tmpdir(), "provena-outbox-migration-"));
  try {
    const path = join(dir, "attestor.db");
    const old = new DatabaseSync(path);
    old.exec(`
      CREATE TABLE verdict (contribution TEXT NOT NULL, validator TEXT NOT NULL, accept INTEGER NOT NULL, score INTEGER NOT NULL,
        reason INTEGER NOT NULL, deadline INTEGER NOT NULL, signature TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'done', 'failed')), tx_hash TEXT, attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (contribution, validator));
      CREATE TABLE relay_tx (hash TEXT PRIMARY KEY, raw TEXT NOT NULL, nonce INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('signed', 'mined', 'reverted', 'dropped')), created_at INTEGER NOT NULL);
      INSERT INTO relay_tx VALUES ('0xaa', '0x01', 7, 'signed', 1), ('0xbb', '0x02', 6, 'mined', 1);
      INSERT INTO verdict VALUES ('0x01', '0xv', 1, 90, 1, 9, '0xs', 'sent', '0xaa', 1, NULL, 1, 1),
                                 ('0x02', '0xv', 1, 90, 1, 9, '0xs', 'done', '0xbb', 1, NULL, 1, 1);
    `);
    old.close();
    // As the attestor opens it: the runtime's migrations first, then the validator's.
    const open = () => {
      const db = openDb(path);
      migrate(db, [...outbox, ...validator]);
      return db;
    };
    const db = open();
    const rows = db.prepare("SELECT contribution, state, tx_hash FROM verdict ORDER BY contribution").all();
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [
        { contribution: "0x01", state: "queued", tx_hash: null },
        { contribution: "0x02", state: "done", tx_hash: "0xbb" },
      ],
    );
    assert.deepEqual({ ...(db.prepare("SELECT type FROM sqlite_master WHERE name = 'relay_tx'").get() as object) }, { type: "view" });
    db.close();
    // Opening it again changes nothing more.
    open().close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
