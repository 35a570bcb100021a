/**
 * The Python training worker (`attestor/trainer`) as a child process: a JSON job spec in, one JSON
 * message per stdout line out (`attestor/trainer/protocol.schema.json`), logs on stderr. SIGTERM cancels
 * (the worker writes a final checkpoint and exits 3).
 */
import { spawn, execFile } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ErrorMessage, WorkerMessage } from "../../trainer/protocol.js";

export type { WorkerMessage } from "../../trainer/protocol.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));

let python: Promise<string> | undefined;

/**
 * The worker's interpreter: `PROVENA_PYTHON` (one with `provena_trainer` installed), or the environment
 * `scripts/trainer-install.sh` installs this clone's package into, over the shared dependencies
 * (`scripts/trainer-env.sh` creates those on first use: minutes, once per machine). Resolved once per
 * process: the jobs of one attestor run one install of the package.
 */
export function trainerPython(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.PROVENA_PYTHON) return Promise.resolve(env.PROVENA_PYTHON);
  python ??= promisify(execFile)("bash", [`${root}scripts/trainer-install.sh`], { env, maxBuffer: 1 << 20 }).then(
    ({ stdout }) => `${stdout.trim()}/bin/python`,
    (error: Error) => {
      python = undefined; // a failed setup (no network, say) is tried again by the next job
      throw error;
    },
  );
  return python;
}

/**
 * Names of variables the worker never inherits: the attestor's keys, and endpoints whose URLs may carry
 * credentials (an RPC provider's API key in the path, a database password). It reads local files only.
 */
const SECRET_NAME = /(^|_)(KEYS?|SECRETS?|TOKENS?|PASSWORD|PASSPHRASE|MNEMONIC|PRIVATE|CREDENTIALS?)(_|$)|(^|_)(RPC|WS|DATABASE|API)_URL$/i;

/** The environment a worker starts with: the attestor's, less every secret (`SECRET_NAME`). */
export function workerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !SECRET_NAME.test(name)));
}

export type WorkerMode = "train" | "evaluate" | "predict" | "serve" | "check";

export type RunningWorker = {
  pid: number | undefined;
  /** Ends with the exit code (0 done, 1 error, 3 cancelled) and the last `error` message if any. */
  exited: Promise<{ code: number | null; error?: ErrorMessage }>;
  /** Writes one request line (serve mode). */
  send: (request: object) => void;
  /** Ends stdin: a serve worker finishes its request and exits. */
  close: () => void;
  /** SIGTERM: a training worker stops at the next micro-batch with a final checkpoint. */
  cancel: (signal?: NodeJS.Signals) => void;
};

export async function startWorker(
  mode: WorkerMode,
  spec: object,
  handlers: { onMessage?: (message: WorkerMessage) => void; onLog?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningWorker> {
  const env = { ...process.env, ...handlers.env };
  // The attestor's working directory, so that relative paths mean the same to both; PYTHONSAFEPATH keeps
  // `-m` from putting that directory first on sys.path, where a source tree could shadow the install.
  const child = spawn(await trainerPython(env), ["-m", "provena_trainer", mode, "--spec", JSON.stringify(spec)], {
    env: { ...workerEnv(env), PYTHONSAFEPATH: "1", PYTHONUNBUFFERED: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let error: ErrorMessage | undefined;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    let message: WorkerMessage;
    try {
      message = JSON.parse(line) as WorkerMessage;
    } catch {
      handlers.onLog?.(`(not a protocol line) ${line}`);
      return;
    }
    if (message.type === "error") error = message;
    handlers.onMessage?.(message);
  });
  createInterface({ input: child.stderr! }).on("line", (line) => handlers.onLog?.(line));
  const exited = new Promise<{ code: number | null; error?: ErrorMessage }>((resolve) => {
    child.on("error", (cause) =>
      resolve({
        code: null,
        error: { type: "error", code: "internal_error", message: `the training worker could not start: ${cause.message}` },
      }),
    );
    child.on("close", (code) => resolve({ code, ...(error ? { error } : {}) }));
  });
  return {
    pid: child.pid,
    exited,
    send: (request) => void (child.stdin!.writable && child.stdin!.write(`${JSON.stringify(request)}\n`)),
    close: () => void child.stdin!.end(),
    cancel: (signal = "SIGTERM") => void child.kill(signal),
  };
}

/** Validates a training spec with the worker's own rules; resolves to the worker's `error`, or undefined when valid. */
export async function checkSpec(spec: object): Promise<ErrorMessage | undefined> {
  const worker = await startWorker("check", spec);
  const { code, error } = await worker.exited;
  if (code === 0) return undefined;
  return error ?? { type: "error", code: "internal_error", message: `the worker exited with ${code}` };
}
