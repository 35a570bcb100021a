/**
 * The CPU work of an upload — sniffing each file's type from its bytes, SHA-256, the near-duplicate
 * fingerprint (MinHash over every word triple of a text, a perceptual hash of an image) and the CID — runs
 * on a pool of worker threads (inspect-worker.ts), not on the event loop: a 4 MB text took ~1.9 s there,
 * during which the attestor answered nothing else. Each file's bytes are transferred to a thread and back,
 * not copied. A thread that dies fails its files and is replaced.
 */
import { isMarkedAsUntransferable, Worker } from "node:worker_threads";
import type { Fingerprint, Sniffed } from "@provena/content";
import type { Hex } from "viem";
import type { Dag } from "@provena/common";

/** What a thread learnt about a file: its type (or why it has none); for a typed file its hashes and fingerprint. */
export type Inspection =
  | { sniffed: Extract<Sniffed, { ok: false }> }
  | {
      sniffed: Extract<Sniffed, { ok: true }>;
      sha256: Hex;
      cid: string;
      cidBytes: Hex;
      /** The file's blocks under the CID profile, cut and hashed here, so the store need not do it again. */
      dag: Dag;
      fingerprint?: Fingerprint | undefined;
      /** The file decodes as its type's header says, but not as a whole (a truncated image). */
      fingerprintError?: string;
    };

export type InspectRequest = { id: number; bytes: Uint8Array };
export type InspectReply = { id: number; bytes: Uint8Array } & ({ inspection: Inspection } | { error: string });

type Pending = { resolve: (result: { inspection: Inspection; bytes: Uint8Array }) => void; reject: (error: Error) => void };
type Thread = { worker: Worker; busy: Map<number, Pending> };

const WORKER_URL = new URL("./inspect-worker.mjs", import.meta.url);

/**
 * Bytes a thread can take without a copy: a view of its whole buffer, not one of Node's pooled ones
 * (marked untransferable); else a copy that is.
 */
const transferable = (bytes: Uint8Array): Uint8Array =>
  bytes.byteOffset === 0 &&
  bytes.byteLength === bytes.buffer.byteLength &&
  bytes.buffer instanceof ArrayBuffer &&
  !isMarkedAsUntransferable(bytes.buffer)
    ? bytes
    : new Uint8Array(bytes); // a copy (a Buffer's slice() would be a view)

export function createInspector(options: { threads: number }) {
  let nextId = 0;
  let closed = false;
  const threads: Thread[] = [];

  const spawn = (): Thread => {
    const thread: Thread = { worker: new Worker(WORKER_URL), busy: new Map() };
    thread.worker.on("message", (reply: InspectReply) => {
      const pending = thread.busy.get(reply.id);
      thread.busy.delete(reply.id);
      if (!pending) return;
      if ("error" in reply) pending.reject(new Error(`inspecting the file failed: ${reply.error}`));
      else pending.resolve({ inspection: reply.inspection, bytes: reply.bytes });
    });
    const fail = (error: Error) => {
      for (const pending of thread.busy.values()) pending.reject(new Error(`the inspection thread died: ${error.message}`));
      thread.busy.clear();
      const at = threads.indexOf(thread);
      if (at >= 0 && !closed) threads[at] = spawn();
    };
    thread.worker.on("error", fail);
    thread.worker.on("exit", (code) => {
      if (!closed) fail(new Error(`exit code ${code}`));
    });
    thread.worker.unref();
    return thread;
  };
  for (let i = 0; i < Math.max(1, options.threads); i++) threads.push(spawn());

  /** Inspects `bytes` on the least busy thread; resolves with the result and the bytes given back. */
  function inspect(bytes: Uint8Array): Promise<{ inspection: Inspection; bytes: Uint8Array }> {
    if (closed) return Promise.reject(new Error("the inspector is closed"));
    const thread = threads.reduce((least, t) => (t.busy.size < least.busy.size ? t : least));
    const id = nextId++;
    const sent = transferable(bytes);
    return new Promise((resolve, reject) => {
      thread.busy.set(id, { resolve, reject });
      thread.worker.postMessage({ id, bytes: sent } satisfies InspectRequest, [sent.buffer as ArrayBuffer]);
    });
  }

  const close = async () => {
    closed = true;
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  };

  return { inspect, close };
}

export type Inspector = ReturnType<typeof createInspector>;
