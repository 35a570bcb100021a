/**
 * Starts the Ponder indexer (`indexer/`) as a child process on loopback and waits until its API answers
 * and the historical backfill is done.  `npm run indexer` runs it on its own (for an L2 deployment);
 * `npm start` and the tests call `startIndexer()`.
 *   PROVENA_HOST (127.0.0.1), PROVENA_INDEXER_PORT (42069; 0 picks a free port), DATABASE_SCHEMA
 *   (default: one per deployment), and the variables of indexer/src/settings.ts (`@provena/indexer`, the launcher's entry point).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { deploymentPath, loadDeployment } from "@provena/common/node";
import { indexerSettings } from "@provena/indexer";

const root = fileURLToPath(new URL("..", import.meta.url));
const ponderBin = fileURLToPath(new URL("bin/ponder.js", import.meta.resolve("ponder")));

export type IndexerOptions = {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Environment for the indexer (deployment file, database, data dir …); defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Each log line Ponder writes (JSON), for whoever wants them. */
  onLog?: (line: string) => void;
  readyTimeoutMs?: number;
  /** The Ponder app's directory (`--root`), relative to the repository or absolute; default `indexer`. */
  root?: string;
};

export type RunningIndexer = {
  url: string;
  schema: string;
  pid: number;
  stop: () => Promise<number | null>;
  /** Settles with the exit code when the process exits, for whatever reason. */
  exited: Promise<number | null>;
};

/** A port free on `host` now (for servers that cannot report the port they got from 0). */
export const freePort = (host: string) =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

export async function startIndexer(options: IndexerOptions = {}): Promise<RunningIndexer> {
  const env = { ...(options.env ?? process.env) };
  const host = options.host ?? env.PROVENA_HOST ?? "127.0.0.1";
  const requested = options.port ?? Number(env.PROVENA_INDEXER_PORT ?? 42069);
  if (!Number.isInteger(requested) || requested < 0 || requested > 65_535) {
    throw new Error(`PROVENA_INDEXER_PORT must be a port number (0-65535), not "${env.PROVENA_INDEXER_PORT}"`);
  }
  const port = requested === 0 ? await freePort(host) : requested;
  // Read the deployment with the child's environment, so a bad one fails here with its own message.
  const schema = env.DATABASE_SCHEMA || indexerSettings(loadDeployment(deploymentPath(env)), env).defaultSchema;

  const child = spawn(
    process.execPath,
    [
      ponderBin,
      "start",
      "--root",
      options.root ?? "indexer",
      "--schema",
      schema,
      "--port",
      String(port),
      "--hostname",
      host,
      "--log-format",
      "json",
    ],
    { cwd: root, env: { ...env, DATABASE_SCHEMA: schema }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const lines: string[] = [];
  let listening: number | undefined;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      options.onLog?.(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === "Created HTTP server" && typeof entry.port === "number") listening = entry.port;
      } catch {
        // not a JSON log line (a crash trace): kept for the error message
      }
    });
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the indexer exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${lines.join("\n")}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the indexer was not ready in time:\n${lines.slice(-40).join("\n")}`);
    }
    if (listening !== undefined) {
      const response = await fetch(`http://${host}:${listening}/ready`).catch(() => undefined);
      if (response?.status === 200) return { url: `http://${host}:${listening}`, schema, pid: child.pid!, stop, exited };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Block number the indexer has processed up to, from Ponder's /status. */
export async function indexedBlock(url: string): Promise<number> {
  const status = (await (await fetch(`${url}/status`)).json()) as Record<string, { block?: { number?: number } }>;
  return Math.min(...Object.values(status).map((chain) => chain.block?.number ?? 0));
}

/**
 * Waits until the indexer has processed `block`. On a websocket, Ponder hears of blocks as they are
 * mined, so an idle local node (automine) is nudged with one empty block; `mine` does that.
 */
export async function waitUntilIndexed(url: string, block: number, mine?: () => Promise<unknown>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nudged = false;
  while ((await indexedBlock(url)) < block) {
    if (Date.now() > deadline) throw new Error(`the indexer at ${url} did not reach block ${block} in ${timeoutMs} ms`);
    if (mine && !nudged && Date.now() > deadline - timeoutMs + 500) {
      nudged = true;
      await mine();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Keeps an indexer running: one that exits on its own (Ponder gives up after 10 minutes of an unreachable
 * node, or crashes) is started again on the same port, where it resumes from its database. `stop` stops
 * whichever is running and ends the watch.
 */
export function superviseIndexer(first: RunningIndexer, options: IndexerOptions, log: (line: string) => void = console.error) {
  const port = Number(new URL(first.url).port);
  let current = first;
  let stopping = false;
  let restarts = 0;
  const watch = (running: RunningIndexer) =>
    void running.exited.then(async (code) => {
      while (!stopping) {
        log(`indexer: exited (${code}) on its own; starting it again at ${first.url}`);
        try {
          current = await startIndexer({ ...options, port });
          restarts += 1;
          if (stopping) await current.stop();
          else watch(current);
          return;
        } catch (error) {
          log(`indexer: could not start again: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
          await new Promise((resolve) => setTimeout(resolve, 2_000));
        }
      }
    });
  watch(first);
  return {
    url: first.url,
    schema: first.schema,
    pid: () => current.pid,
    restarts: () => restarts,
    stop: async () => {
      stopping = true;
      return current.stop();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const indexer = await startIndexer({ onLog: (line) => console.log(line) });
  console.log(`Indexer ready at ${indexer.url} (schema ${indexer.schema}). Ctrl-C stops it.`);
  const stop = async () => process.exit((await indexer.stop()) ?? 0);
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}
