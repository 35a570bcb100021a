/**
 * A throwaway Kubo node for tests of the external-IPFS path: offline, its RPC API on a free loopback
 * port, its repository in a temp folder. The binary comes from IPFS_BIN, the cache `scripts/install-kubo.sh`
 * builds into, or PATH; undefined when none is there, and the tests say they skip.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { freePort } from "../../scripts/indexer.js";

/** The version scripts/install-kubo.sh builds. */
const KUBO_VERSION = "v0.42.0";

export function kuboBinary(): string | undefined {
  if (process.env.IPFS_BIN) return process.env.IPFS_BIN;
  const cached = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "provena", `kubo-${KUBO_VERSION}`, "ipfs");
  if (existsSync(cached)) return cached;
  try {
    return execFileSync("sh", ["-c", "command -v ipfs"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function startKubo(): Promise<{ apiUrl: string; stop: () => Promise<void> } | undefined> {
  const bin = kuboBinary();
  if (!bin) return undefined;
  const repo = mkdtempSync(join(tmpdir(), "provena-kubo-"));
  const env = { ...process.env, IPFS_PATH: repo };
  const run = (...args: string[]) => execFileSync(bin, args, { env, stdio: "pipe" });
  run("init", "--profile=test", "--empty-repo");
  const port = await freePort("127.0.0.1");
  run("config", "Addresses.API", `/ip4/127.0.0.1/tcp/${port}`);
  run("config", "--json", "Addresses.Gateway", "[]");
  run("config", "--json", "Addresses.Swarm", "[]");
  const daemon = spawn(bin, ["daemon", "--offline"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));
  let output = "";
  daemon.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: daemon.stdout! }).on("line", (line) => {
      output += `${line}\n`;
      if (/Daemon is ready/.test(line)) resolve();
    });
    void exited.then(() => reject(new Error(`kubo exited before it was ready:\n${output}`)));
  });
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      daemon.kill("SIGTERM");
      await exited;
      rmSync(repo, { recursive: true, force: true });
    },
  };
}
