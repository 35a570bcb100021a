/**
 * Chatting with base models and fine-tuned adapters: one long-lived serve worker per base model, with
 * every adapter asked for loaded over it, so that the base model and each fine-tune answer from the same
 * loaded weights (side by side). Requests to one worker run one after another, as the worker serves them,
 * and each reply holds the accelerator lock that training and evaluation take too; a worker idle for
 * `idleMs` is shut down. A reply is bounded (ChatLimits): its prompt and max_new_tokens before it is
 * sent, its time once sent; a reply whose time is up or whose client has gone is cancelled in the worker
 * (op cancel: it stops at the next token) and the lock is given back only once the worker has stopped;
 * a worker deaf to the cancel is killed, and the next request starts a fresh one.
 */
import { AttestorError, fail } from "@provena/runtime";
import type { ChatMessage, ReplyMessage } from "../../trainer/protocol.js";
import type { AcceleratorLock } from "./accelerator.js";
import type { BaseModel } from "./catalog.js";
import { DEFAULT_FACTORY_LIMITS, type ChatLimits } from "./config.js";
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

/** The worker's own default of max_new_tokens (GenerationArgs), used when a request names none and the cap allows it. */
const WORKER_MAX_NEW_TOKENS = 256;

/** How long a worker has to stop a cancelled reply before it is killed. */
const CANCEL_GRACE_MS = 5_000;

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

export type ChatOptions = { accelerator: AcceleratorLock; idleMs?: number; limits?: ChatLimits; log?: (line: string) => void };

/** Why a reply was stopped before its end. */
type Stop = { code: "chat_timeout" | "client_gone"; message: string };

export function createChat(options: ChatOptions) {
  const idleMs = options.idleMs ?? 300_000;
  const limits = options.limits ?? DEFAULT_FACTORY_LIMITS.chat;
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

  /**
   * Sends one request and collects what the worker answers to it, in the server's turn. With `bound`,
   * the request is cancelled in the worker when `signal` aborts or `timeoutMs` passes, and the promise
   * rejects with the reason once the worker has stopped (answered the cancel, or been killed).
   */
  function exchange<T>(
    server: Server,
    request: { id: string; [field: string]: unknown },
    handle: (message: WorkerMessage, done: (value: T) => void, reject: (error: Error) => void) => void,
    bound?: { signal?: AbortSignal | undefined; timeoutMs: number },
  ): Promise<T> {
    const turn = server.tail.then(
      () =>
        new Promise<T>((resolve, reject) => {
          if (server.exited) return reject(new Error("the chat worker has stopped"));
          let stopped: Stop | undefined;
          let timer: NodeJS.Timeout | undefined;
          let killer: NodeJS.Timeout | undefined;
          const stop = (why: Stop) => {
            if (stopped || server.current !== mine) return;
            stopped = why;
            server.worker.send({ id: request.id, op: "cancel" });
            killer = setTimeout(() => server.worker.cancel("SIGKILL"), CANCEL_GRACE_MS);
          };
          const onAbort = () => stop({ code: "client_gone", message: "the client went away: the reply was stopped" });
          const finish = (fn: () => void) => {
            server.current = undefined;
            clearTimeout(timer);
            clearTimeout(killer);
            bound?.signal?.removeEventListener("abort", onAbort);
            fn();
          };
          const why = () => stopped && new AttestorError("unavailable", stopped.code, stopped.message);
          const mine = (message: WorkerMessage) =>
            handle(
              message,
              (value) => finish(() => resolve(value)),
              (error) => finish(() => reject(why() ?? error)),
            );
          server.current = mine;
          // Only while this request is the one in flight: a later exit is a later request's business.
          void server.worker.exited.then(
            () => server.current === mine && finish(() => reject(why() ?? new Error("the chat worker stopped mid-reply"))),
          );
          server.worker.send(request);
          if (bound) {
            const seconds = bound.timeoutMs / 1000;
            timer = setTimeout(
              () =>
                stop({ code: "chat_timeout", message: `the reply took longer than ${seconds} s, this attestor's limit: it was stopped` }),
              bound.timeoutMs,
            );
            if (bound.signal?.aborted) onAbort();
            else bound.signal?.addEventListener("abort", onAbort, { once: true });
          }
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
   * for the accelerator; `signal` (the client gone) gives up the wait, or stops the reply (rejects with client_gone);
   * past `limits.replyTimeoutMs` the reply is stopped and rejects with chat_timeout.
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
    return options.accelerator.use({ purpose: `chat ${model.id}`, signal }, () =>
      reply(model, adapter, messages, sampling, onToken, signal),
    );
  }

  async function reply(
    model: BaseModel,
    adapter: { name: string; path: string } | undefined,
    messages: ChatMessage[],
    sampling: Sampling,
    onToken: (text: string) => void,
    signal: AbortSignal | undefined,
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
    return exchange<ReplyMessage>(
      server,
      request,
      (message, done, reject) => {
        if (message.type === "token" && message.id === id) onToken(message.text);
        else if (message.type === "reply" && message.id === id) done(message);
        else if (message.type === "error") reject(Object.assign(new Error(message.message), { code: message.code }));
      },
      { signal, timeoutMs: limits.replyTimeoutMs },
    ).catch((error: Error & { code?: string }) => {
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

/**
 * A chat request's size against the limits: too many messages or characters (413), max_new_tokens above
 * the cap (400). Returns the sampling to send, with max_new_tokens within the cap when none was named.
 */
export function boundChat(messages: readonly ChatMessage[], sampling: Sampling, limits: ChatLimits): Sampling {
  if (messages.length > limits.maxMessages)
    fail("too_large", "too_many_messages", `a chat request carries at most ${limits.maxMessages} messages, not ${messages.length}`, {
      limit: limits.maxMessages,
    });
  const stops = Array.isArray(sampling.stop) ? sampling.stop.filter((s): s is string => typeof s === "string") : [];
  const chars = [...messages.map((m) => m.content), ...stops].reduce((sum, text) => sum + text.length, 0);
  if (chars > limits.maxPromptChars)
    fail(
      "too_large",
      "prompt_too_long",
      `a chat request carries at most ${limits.maxPromptChars} characters of messages and stop strings, not ${chars}`,
      { limit: limits.maxPromptChars },
    );
  const asked = sampling.max_new_tokens;
  // A non-number is left to the worker, which refuses it by name (bad_request).
  if (typeof asked === "number" && asked > limits.maxNewTokens)
    fail("invalid", "max_new_tokens_too_large", `max_new_tokens must be at most ${limits.maxNewTokens} here, not ${asked}`, {
      field: "max_new_tokens",
      limit: limits.maxNewTokens,
    });
  return asked === undefined ? { ...sampling, max_new_tokens: Math.min(WORKER_MAX_NEW_TOKENS, limits.maxNewTokens) } : sampling;
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
