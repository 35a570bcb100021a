/**
 * Chatting with base models and fine-tuned adapters: one long-lived serve worker per base model, with
 * every adapter asked for loaded over it, so that the base model and each fine-tune answer from the same
 * loaded weights (side by side). Requests to one worker run one after another, as the worker serves them,
 * and each reply holds the accelerator lock that training and evaluation take too; a worker idle for
 * `idleMs` is shut down.
 */
import { AttestorError, fail } from "@provena/runtime";
import type { ChatMessage, ReplyMessage } from "../../trainer/protocol.js";
import type { AcceleratorLock } from "./accelerator.js";
import type { BaseModel } from "./catalog.js";
import { startWorker, type RunningWorker, type WorkerMessage } from "./worker.js";

export type Sampling = {
  max_new_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  repetition_penalty?: number;
  stop?: string[];
  seed?: number | null;
};

const SAMPLING_KEYS = ["max_new_tokens", "temperature", "top_p", "top_k", "repetition_penalty", "stop", "seed"] as const;

type Server = {
  worker: RunningWorker;
  adapters: Set<string>;
  /** The tail of this worker's request chain. */
  tail: Promise<unknown>;
  /** Where the worker's messages go for the request in flight. */
  current?: (message: WorkerMessage) => void;
  idle?: NodeJS.Timeout;
  exited: boolean;
};

export type ChatOptions = { accelerator: AcceleratorLock; idleMs?: number; log?: (line: string) => void };

export function createChat(options: ChatOptions) {
  const idleMs = options.idleMs ?? 300_000;
  const log = options.log ?? ((line: string) => console.error(`chat: ${line}`));
  const servers = new Map<string, Promise<Server>>();
  let sequence = 0;

  async function serverFor(model: BaseModel): Promise<Server> {
    if (!servers.has(model.id)) {
      const starting = (async () => {
        let ready!: () => void;
        let failed!: (error: Error) => void;
        const loaded = new Promise<void>((resolve, reject) => {
          ready = resolve;
          failed = reject;
        });
        const server: Server = {
          worker: undefined as unknown as RunningWorker,
          adapters: new Set(),
          tail: Promise.resolve(),
          exited: false,
        };
        server.worker = await startWorker(
          "serve",
          { model: { path: model.path }, serve: { adapters: {} } },
          {
            onMessage: (message) => {
              if (server.current) server.current(message);
              else if (message.type === "ready") ready();
              else if (message.type === "error") failed(new Error(message.message));
            },
            onLog: (line) => log(`${model.id}: ${line}`),
          },
        );
        void server.worker.exited.then(({ error }) => {
          server.exited = true;
          servers.delete(model.id);
          failed(new Error(error?.message ?? "the chat worker exited before it was ready"));
        });
        await loaded;
        return server;
      })();
      servers.set(model.id, starting);
      starting.catch(() => servers.delete(model.id));
    }
    return servers.get(model.id)!;
  }

  /** Sends one request and collects what the worker answers to it, in the server's turn. */
  function exchange<T>(
    server: Server,
    request: object,
    handle: (message: WorkerMessage, done: (value: T) => void, reject: (error: Error) => void) => void,
  ): Promise<T> {
    const turn = server.tail.then(
      () =>
        new Promise<T>((resolve, reject) => {
          if (server.exited) return reject(new Error("the chat worker has stopped"));
          const finish = (fn: () => void) => {
            server.current = undefined;
            fn();
          };
          server.current = (message) =>
            handle(
              message,
              (value) => finish(() => resolve(value)),
              (error) => finish(() => reject(error)),
            );
          void server.worker.exited.then(() => server.current && finish(() => reject(new Error("the chat worker stopped mid-reply"))));
          server.worker.send(request);
        }),
    );
    server.tail = turn.catch(() => undefined);
    return turn;
  }

  function touch(model: BaseModel, server: Server) {
    clearTimeout(server.idle);
    server.idle = setTimeout(() => {
      log(`${model.id}: idle, shutting down`);
      server.worker.close();
    }, idleMs);
    server.idle.unref();
  }

  /**
   * One reply from `model` with `adapter` (a name and folder) or the base model (undefined), streaming
   * each piece of text to `onToken`. Bad sampling values are refused by the worker, by name. Waits its turn
   * for the accelerator; `signal` (the client gone) gives up the wait.
   */
  async function chat(
    model: BaseModel,
    adapter: { name: string; path: string } | undefined,
    messages: ChatMessage[],
    sampling: Sampling,
    onToken: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<ReplyMessage> {
    // Refused with AcceleratorBusyError (kind unavailable) when the line is full.
    return options.accelerator.use({ purpose: `chat ${model.id}`, signal }, () => reply(model, adapter, messages, sampling, onToken));
  }

  async function reply(
    model: BaseModel,
    adapter: { name: string; path: string } | undefined,
    messages: ChatMessage[],
    sampling: Sampling,
    onToken: (text: string) => void,
  ): Promise<ReplyMessage> {
    const server = await serverFor(model).catch((error: Error) => {
      throw new AttestorError("unavailable", "chat_unavailable", `the chat worker for ${model.id} could not start: ${error.message}`, {
        cause: error,
      });
    });
    touch(model, server);
    if (adapter && !server.adapters.has(adapter.name)) {
      await exchange<void>(
        server,
        { id: `load-${++sequence}`, op: "load_adapter", name: adapter.name, path: adapter.path },
        (message, done, reject) => {
          if (message.type === "ready") done();
          else if (message.type === "error") reject(Object.assign(new Error(message.message), { code: message.code }));
        },
      ).catch((error: Error & { code?: string }) => fail("internal", error.code ?? "adapter_not_loaded", error.message));
      server.adapters.add(adapter.name);
    }
    const id = `chat-${++sequence}`;
    const request = { id, messages, adapter: adapter?.name ?? null, ...sampling };
    return exchange<ReplyMessage>(server, request, (message, done, reject) => {
      if (message.type === "token" && message.id === id) onToken(message.text);
      else if (message.type === "reply" && message.id === id) done(message);
      else if (message.type === "error") reject(Object.assign(new Error(message.message), { code: message.code }));
    }).catch((error: Error & { code?: string }) => {
      if (error instanceof AttestorError) throw error;
      return fail(error.code === "bad_request" ? "invalid" : "internal", error.code ?? "chat_failed", error.message);
    });
  }

  async function stop() {
    for (const starting of servers.values()) {
      const server = await starting.catch(() => undefined);
      if (!server) continue;
      clearTimeout(server.idle);
      // A serve worker reads stdin until it ends (a signal would wait for the next line); killed if it lingers.
      server.worker.close();
      const killer = setTimeout(() => server.worker.cancel("SIGKILL"), 10_000);
      await server.worker.exited;
      clearTimeout(killer);
    }
    servers.clear();
  }

  return { chat, stop };
}

/** Checks a chat request's messages: roles and text, at least one. */
export function parseMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0)
    fail("invalid", "invalid_messages", "messages must be a non-empty list of {role, content}");
  for (const [i, message] of (value as unknown[]).entries()) {
    const m = message as Partial<ChatMessage>;
    if (!m || !["system", "user", "assistant"].includes(String(m.role)) || typeof m.content !== "string") {
      fail("invalid", "invalid_messages", `messages[${i}] must be {role: "system" | "user" | "assistant", content: string}`);
    }
  }
  return value as ChatMessage[];
}

export const samplingOf = (body: Record<string, unknown>): Sampling =>
  Object.fromEntries(SAMPLING_KEYS.filter((key) => body[key] !== undefined).map((key) => [key, body[key]])) as Sampling;
