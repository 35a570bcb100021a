/**
 * ModelFactory: base models, training jobs (queued, run one at a time, streamed, published with their
 * provenance) and chat with a fine-tune or a base model.
 *   GET  /models                          ModelFactory's base models
 *   POST /jobs                            signed in: {baseModel, datanets, settings?, parentJob?} → a queued job
 *   GET  /jobs[?creator=], /jobs/:id      training jobs
 *   GET  /jobs/:id/events                 progress as server-sent events (replayed from Last-Event-ID)
 *   POST /jobs/:id/cancel, /jobs/:id/publish   the job's creator: cancel; publish its provenance on chain
 *   POST /jobs/:id/evaluate               the job's creator: held-out loss and perplexity, adapter and base
 *   POST /chat                            signed in: {job | baseModel, messages, compare?, sampling…} → tokens as server-sent events
 */
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
import { privateKeyToAccount } from "viem/accounts";
import type { Auth } from "@provena/gateway";
import {
  type ChainView,
  type RuntimeConfig,
  type Db,
  migrate,
  AttestorError,
  readJson,
  addressOf,
  jobIdOf,
  pathParam,
  jsonAnswer,
  type Outbox,
  type AppEnv,
  type ContentStore,
} from "@provena/runtime";
import { DEFAULT_FACTORY_LIMITS, type FactoryConfig } from "./config.js";
import { ACCELERATOR_MAX_WAITERS, createAcceleratorLock } from "./accelerator.js";
import { boundChat, createChat, parseMessages, samplingOf } from "./chat.js";
import { createFactory as createJobs, type JobRequest } from "./jobs.js";
import { migrations } from "./migrations.js";

export type CreateFactoryServiceParameters = {
  db: Db;
  store: ContentStore;
  chain: ChainView;
  /** Sessions come from the gateway's sign-in. */
  auth: Auth;
  runtime: Pick<RuntimeConfig, "deployment" | "stateDir">;
  /** The relayer key's one transaction sender, shared with the relay; without it nothing is published. */
  outbox: Outbox | undefined;
  config: FactoryConfig;
};

export function createFactoryService({ db, store, chain, auth, runtime, outbox, config }: CreateFactoryServiceParameters) {
  migrate(db, migrations);
  const { deployment } = runtime;
  const limits = config.limits ?? DEFAULT_FACTORY_LIMITS;
  // One device: training, evaluation and chat take turns on it.
  const accelerator = createAcceleratorLock({ maxWaiters: ACCELERATOR_MAX_WAITERS });
  const jobs = createJobs({
    db,
    accelerator,
    chain,
    store,
    chainId: deployment.chainId,
    startBlock: BigInt(deployment.contracts.ContributionLedger.startBlock),
    modelsDir: config.modelsDir,
    stateDir: runtime.stateDir,
    jobsPerWallet: limits.jobsPerWallet,
    jobTimeoutMs: limits.jobTimeoutMs,
    ...(config.attestorKey && outbox
      ? {
          publisher: {
            registry: deployment.contracts.ModelRegistry.address,
            attestor: privateKeyToAccount(config.attestorKey),
            outbox,
          },
        }
      : {}),
  });
  const chat = createChat({ accelerator, limits: limits.chat });
  const creatorOf = (authorization: string | undefined) => auth.authenticate(authorization).address;

  const routes = new Hono<AppEnv>()
    .get("/models", (c) => jsonAnswer(c, { models: jobs.models() }))
    .post("/jobs", async (c) => {
      const session = auth.authenticate(c.env.incoming.headers.authorization);
      return jsonAnswer(c, await jobs.create((await readJson(c.env.incoming)) as JobRequest, session.address), 201);
    })
    .get("/jobs", (c) => {
      const creator = c.req.query("creator");
      const address = creator === undefined ? undefined : addressOf(creator, `"${creator}" is not an address`);
      return jsonAnswer(c, { jobs: jobs.list(address) });
    })
    .get("/jobs/:id", (c) => jsonAnswer(c, jobs.describe(jobIdOf(pathParam(c, "id")))))
    .get("/jobs/:id/events", (c) => {
      const job = jobIdOf(pathParam(c, "id"));
      jobs.describe(job); // 404 before the stream starts
      const { incoming: req, outgoing: res } = c.env;
      const after = Number(req.headers["last-event-id"] ?? c.req.query("after") ?? 0) || 0;
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      const unsubscribe = jobs.subscribe(
        job,
        after,
        ({ seq, message }) => res.write(`id: ${seq}\nevent: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`),
        () => res.end(),
      );
      req.on("close", unsubscribe);
      return RESPONSE_ALREADY_SENT;
    })
    .post("/jobs/:id/cancel", (c) =>
      jsonAnswer(c, jobs.cancel(jobIdOf(pathParam(c, "id")), creatorOf(c.env.incoming.headers.authorization))),
    )
    .post("/jobs/:id/publish", async (c) => {
      const published = await jobs.publish(jobIdOf(pathParam(c, "id")), creatorOf(c.env.incoming.headers.authorization));
      return jsonAnswer(
        c,
        { modelId: published.modelId.toString(), txHash: published.txHash, cids: published.cids, record: published.record },
        201,
      );
    })
    .post("/jobs/:id/evaluate", async (c) =>
      jsonAnswer(c, await jobs.evaluate(jobIdOf(pathParam(c, "id")), creatorOf(c.env.incoming.headers.authorization))),
    )
    .post("/chat", async (c) => {
      const { incoming: req, outgoing: res } = c.env;
      auth.authenticate(req.headers.authorization);
      const body = (await readJson(req)) as Record<string, unknown>;
      const { model, adapter } = jobs.chatTarget(body);
      const messages = parseMessages(body.messages);
      const sampling = boundChat(messages, samplingOf(body), limits.chat);
      // Side by side: the fine-tune's answer, then the base model's, to the same messages.
      const targets = body.compare === true && adapter ? [adapter, undefined] : [adapter];
      // A client that hangs up gives up its place in the accelerator's line, or stops its reply mid-way
      // (the worker cancels it at the next token, and the accelerator is free again).
      const gone = new AbortController();
      res.on("close", () => gone.abort());
      let streaming = false;
      const send = (event: string, data: unknown) => {
        if (gone.signal.aborted) return; // tokens the worker sent before it took the cancel: nobody reads them
        if (!streaming) res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        streaming = true;
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      try {
        for (const target of targets) {
          const reply = await chat.chat(
            model,
            target,
            messages,
            sampling,
            (text) => send("token", { adapter: target?.name ?? null, text }),
            gone.signal,
          );
          send("reply", reply);
        }
      } catch (error) {
        // Once the stream has begun, a failure is its last event rather than a status code.
        if (!streaming) throw error;
        send(
          "error",
          error instanceof AttestorError
            ? { error: error.code, message: error.message }
            : { error: "internal", message: "the reply failed" },
        );
      }
      res.end();
      return RESPONSE_ALREADY_SENT;
    });

  return {
    routes,
    migrations,
    models: jobs.models,
    start: () => jobs.recover(),
    stop: async () => {
      await jobs.stop();
      await chat.stop();
    },
  };
}

export type CreateFactoryServiceReturnType = ReturnType<typeof createFactoryService>;
