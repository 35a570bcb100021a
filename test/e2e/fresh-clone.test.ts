/**
 * The README's first two commands on a fresh clone, as a new user runs them: `npm install`, then
 * `npm start`, in a copy of this working tree where nothing was built (no artifacts/, no generated ABIs,
 * no node_modules), stopped with Ctrl-C (SIGINT to the whole process group, as a terminal sends it).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const READY_MS = 420_000;

/** Tracked and untracked-but-not-ignored files: what a clone of this tree with its uncommitted work holds. */
function copyWorkingTree(to: string) {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter((file) => file && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(root, file), join(to, file));
  }
}

/** The machine's npm and node first on the PATH: a new user's shell, not this test runner's Node 22. */
const userPath = (process.env.PATH ?? "")
  .split(":")
  .filter((dir) => !dir.includes("node_modules"))
  .join(":");

/** Waits until no process of the group is left: nothing of the stack outlives its Ctrl-C. */
async function groupEmpty(group: number) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      process.kill(-group, 0);
    } catch {
      return;
    }
    assert.ok(Date.now() < deadline, `processes of npm start's group ${group} still run 30 s after Ctrl-C`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test("npm install && npm start work on a fresh clone where nothing was built", { timeout: 900_000 }, async () => {
  const clone = mkdtempSync(join(tmpdir(), "provena-clone-"));
  try {
    copyWorkingTree(clone);
    for (const built of ["node_modules", "artifacts", "common/src/generated", "data"]) {
      assert.equal(existsSync(join(clone, built)), false, `${built} is in the fresh clone`);
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: userPath,
      PROVENA_RPC_PORT: "0",
      ATTESTOR_PORT: "0",
      PROVENA_INDEXER_PORT: "0",
      DOCS_PORT: "0",
    };
    for (const name of ["PROVENA_DATA_DIR", "PROVENA_DEPLOYMENT", "PROVENA_CONTENT_DIR", "DATABASE_URL", "DATABASE_SCHEMA"])
      delete env[name];
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: clone, env, stdio: "ignore" });

    // Its own process group, so that "Ctrl-C" reaches npm, tsx and the stack together.
    const child = spawn("npm", ["start"], { cwd: clone, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? `exit ${code}`)));
    const ctrlC = () => process.kill(-child.pid!, "SIGINT");
    try {
      const deadline = Date.now() + READY_MS;
      while (!output.includes("Ready.")) {
        assert.equal(child.exitCode, null, `npm start exited before it was ready:\n${output}`);
        assert.ok(Date.now() < deadline, `npm start was not ready after ${READY_MS / 1000} s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.ok(existsSync(join(clone, "common/src/generated/abis.ts")), "npm start built the typed ABIs");
      const attestorUrl = /attestor\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const indexerUrl = /indexer\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      assert.ok(attestorUrl && indexerUrl, output);
      assert.equal((await fetch(`${attestorUrl}/health`)).status, 200);
      const board = (await (await fetch(`${indexerUrl}/leaderboard`)).json()) as { entries: unknown[] };
      assert.ok(board.entries.length > 0, "the seeded leaderboard is served");
      assert.match(output, /6 Datanets, \d+ contributions/);

      ctrlC();
      // npm itself dies of the SIGINT, as it does in a terminal; the stack under it stops cleanly.
      assert.match(await exited, /^(exit 0|SIGINT)$/, output);
      await groupEmpty(child.pid!);
      assert.match(output, /SIGINT: stopping the docs server, the indexer, the attestor and the node/);
      await assert.rejects(fetch(`${attestorUrl}/health`), "the attestor outlived npm start");
      await assert.rejects(fetch(`${indexerUrl}/health`), "the indexer outlived npm start");
    } finally {
      // Whatever failed above, leave nothing of the group running.
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
});
