/**
 * The attestor's HTTP API on one Node server (loopback by default):
 *   GET  /health                          store kind, chain, validator and relay
 *   GET  /auth/nonce                      a single-use sign-in nonce
 *   POST /auth/verify                     {message, signature} → {token, address, expiresAt}
 *   POST /auth/logout
 *   GET  /datanets/:id/allowance?address= today's allowance (from chain) and the per-file limit
 *   POST /datanets/:id/uploads            multipart files, signed in → CIDs and SHA-256s for `contribute`
 *   GET  /uploads/:id                     an upload's files and their standing on chain
 *   GET|HEAD /ipfs/:cid                   content, verified, with byte ranges
 *   POST /verdicts                        signed verdicts (one, or an array of up to 100) for the relay
 *   GET  /verdicts/:contribution          the relay's verdicts on a contribution and their state
 *   GET  /assessments/:contribution       the automatic validator's score, reason and explanation
 *   GET  /models                          ModelFactory's base models
 *   POST /jobs                            signed in: {baseModel, datanets, settings?, parentJob?} → a queued job
 *   GET  /jobs[?creator=], /jobs/:id      training jobs
 *   GET  /jobs/:id/events                 progress as server-sent events (replayed from Last-Event-ID)
 *   POST /jobs/:id/cancel, /jobs/:id/publish   the job's creator: cancel; publish its provenance on chain
 *   POST /jobs/:id/evaluate               the job's creator: held-out loss and perplexity, adapter and base
 *   POST /chat                            signed in: {job | baseModel, messages, compare?, sampling…} → tokens as server-sent events
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_BATCH } from "@provena/common/limits";
import { isAddress, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createAuth } from "./auth/siwe.js";
import { connect } from "./chain.js";
import { storageOf, type AttestorConfig } from "./config.js";
import { openDb } from "./db.js";
import { ApiError, fail } from "./http/errors.js";
import { ACCELERATOR_MAX_WAITERS, createAcceleratorLock } from "./factory/accelerator.js";
import { createChat, parseMessages, samplingOf } from "./factory/chat.js";
import { createFactory, type JobRequest } from "./factory/jobs.js";
import { createGateway } from "./http/gateway.js";
import { readJson, sendError, sendJson } from "./http/json.js";
import { createOutbox, type Outbox } from "./runtime/outbox/outbox.js";
import { openStore } from "./storage/index.js";
import { parseSignedVerdict } from "./relay/check.js";
import { createRelay, type Relay } from "./relay/relay.js";
import { readMultipart } from "./upload/multipart.js";
import { createUploads } from "./upload/service.js";
import { startSweeper } from "./upload/sweep.js";
import { createValidator, type Validator } from "./validator/validator.js";

type Route = {
  method: string;
  pattern: RegExp;
  handle: (request: IncomingMessage, response: ServerResponse, params: string[], url: URL) => Promise<void>;
};

const MAX_VERDICTS_PER_REQUEST = 100;

const contributionOf = (text: string) => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) fail(400, "invalid_contribution", `"${text}" is not a contribution id (32-byte hex)`);
  return text.toLowerCase() as `0x${string}`;
};

const datanetIdOf = (text: string): bigint => {
  if (!/^\d{1,10}$/.test(text)) fail(400, "invalid_datanet", `"${text}" is not a Datanet id`);
  return BigInt(text);
};

export async function createAttestor(config: AttestorConfig) {
  const db = openDb(`${config.stateDir}/attestor.db`);
  const store = await openStore(storageOf(config));
  const chain = connect(config.deployment, config.rpcUrl);
  const auth = createAuth({
    db,
    chain,
    chainId: config.deployment.chainId,
    domain: config.siweDomain,
    nonceTtlSeconds: config.nonceTtlSeconds,
    sessionTtlSeconds: config.sessionTtlSeconds,
  });
  const uploads = createUploads({ db, store, chain, nearDuplicate: config.nearDuplicate, unpinGraceSeconds: config.unpinGraceSeconds });
  const gateway = createGateway(store, db);
  // One sender for the relayer's key: the relay's batches and model publishing share its nonces.
  const outbox: Outbox | undefined = config.relayerKey
    ? createOutbox({ db, chain, account: privateKeyToAccount(config.relayerKey) })
    : undefined;
  const relay: Relay | undefined = outbox
    ? createRelay({ db, chain, chainId: config.deployment.chainId, outbox, ...config.relay })
    : undefined;
  const validator: Validator | undefined =
    config.validatorKey && relay
      ? createValidator({
          db,
          store,
          chain,
          chainId: config.deployment.chainId,
          validatorKey: config.validatorKey,
          relay,
          startBlock: BigInt(config.deployment.contracts.ContributionLedger.startBlock),
          pollingMs: config.pollingMs,
          verdictTtlSeconds: config.relay.verdictTtlSeconds,
          nearDuplicate: config.nearDuplicate,
        })
      : undefined;
  // One device: training, evaluation and chat take turns on it.
  const accelerator = createAcceleratorLock({ maxWaiters: ACCELERATOR_MAX_WAITERS });
  const factory = createFactory({
    db,
    accelerator,
    chain,
    store,
    chainId: config.deployment.chainId,
    startBlock: BigInt(config.deployment.contracts.ContributionLedger.startBlock),
    modelsDir: config.modelsDir,
    stateDir: config.stateDir,
    ...(config.attestorKey && config.relayerKey
      ? {
          publisher: {
            registry: config.deployment.contracts.ModelRegistry.address,
            attestor: privateKeyToAccount(config.attestorKey),
            outbox: outbox!,
          },
        }
      : {}),
  });
  const chat = createChat({ accelerator });
  const jobIdOf = (text: string) => {
    if (!/^\d{1,12}$/.test(text)) fail(400, "invalid_job", `"${text}" is not a job id`);
    return Number(text);
  };
  const sweeper = startSweeper({ db, store, chain, graceSeconds: config.unpinGraceSeconds, intervalMs: config.sweepIntervalMs });

  /** What the attestor still has to do: chain followed up to a block, files to judge, verdicts to land. */
  const backlog = () => ({
    followedBlock: validator ? Number(validator.followedBlock()) : null,
    jobs: validator?.pendingJobs() ?? 0,
    verdicts: relay?.pending() ?? 0,
  });

  const routes: Route[] = [
    {
      method: "GET",
      pattern: /^\/health$/,
      handle: async (_req, res) =>
        sendJson(res, 200, {
          ok: true,
          store: store.kind,
          chainId: config.deployment.chainId,
          validator: validator?.address ?? null,
          relayer: relay?.address ?? null,
          backlog: backlog(),
        }),
    },
    { method: "GET", pattern: /^\/auth\/nonce$/, handle: async (_req, res) => sendJson(res, 200, auth.issueNonce()) },
    {
      method: "POST",
      pattern: /^\/auth\/verify$/,
      handle: async (req, res) => sendJson(res, 200, await auth.signIn(await readJson(req), req.headers.host)),
    },
    {
      method: "POST",
      pattern: /^\/auth\/logout$/,
      handle: async (req, res) => {
        auth.signOut(req.headers.authorization);
        sendJson(res, 200, { ok: true });
      },
    },
    {
      method: "GET",
      pattern: /^\/datanets\/([^/]+)\/allowance$/,
      handle: async (_req, res, [id], url) => {
        const datanetId = datanetIdOf(id!);
        const address = url.searchParams.get("address") ?? "";
        if (!isAddress(address)) fail(400, "invalid_address", "add ?address=0x… (the contributor's address)");
        const [allowance, terms] = await Promise.all([
          chain.allowance(address as Address, datanetId),
          chain.terms(datanetId, address as Address),
        ]);
        sendJson(res, 200, {
          datanetId: datanetId.toString(),
          address,
          ...allowance,
          maxFileBytes: terms.maxFileBytes,
          maxFiles: MAX_BATCH,
          allowed: terms.allowed,
        });
      },
    },
    {
      method: "POST",
      pattern: /^\/datanets\/([^/]+)\/uploads$/,
      handle: async (req, res, [id]) => {
        const session = auth.authenticate(req.headers.authorization);
        const datanetId = datanetIdOf(id!);
        const terms = await chain.terms(datanetId, session.address).catch(() => undefined);
        const files = await readMultipart(req, { maxFiles: MAX_BATCH, maxFileBytes: terms?.maxFileBytes ?? 5 * 1_048_576 });
        sendJson(res, 201, await uploads.upload(session.address, datanetId, files));
      },
    },
    {
      method: "GET",
      pattern: /^\/uploads\/([0-9a-f]{32})$/,
      handle: async (_req, res, [id]) => sendJson(res, 200, await uploads.status(id!)),
    },
    {
      method: "POST",
      pattern: /^\/verdicts$/,
      handle: async (req, res) => {
        if (!relay) fail(503, "relay_disabled", "this attestor runs no relay (ATTESTOR_RELAYER_KEY is unset)");
        const body = await readJson(req);
        const many = Array.isArray(body);
        const items = many ? body : [body];
        if (items.length === 0 || items.length > MAX_VERDICTS_PER_REQUEST)
          fail(400, "invalid_verdict", `send 1 to ${MAX_VERDICTS_PER_REQUEST} verdicts`);
        // All parsed first, so a malformed item refuses the request before anything is queued.
        const parsed = items.map(parseSignedVerdict);
        const results = [];
        for (const signed of parsed)
          results.push({ contribution: signed.verdict.contribution, validator: signed.validator, ...(await relay!.submit(signed)) });
        sendJson(res, 202, many ? results : results[0]);
      },
    },
    {
      method: "GET",
      pattern: /^\/verdicts\/([^/]+)$/,
      handle: async (_req, res, [id]) => {
        if (!relay) fail(503, "relay_disabled", "this attestor runs no relay");
        sendJson(res, 200, { contribution: contributionOf(id!), verdicts: relay!.status(contributionOf(id!)) });
      },
    },
    {
      method: "GET",
      pattern: /^\/assessments\/([^/]+)$/,
      handle: async (_req, res, [id]) => {
        const found = validator?.assessment(contributionOf(id!));
        if (!found) fail(404, "not_assessed", `the automatic validator has not assessed ${id}`);
        sendJson(res, 200, found);
      },
    },
    { method: "GET", pattern: /^\/models$/, handle: async (_req, res) => sendJson(res, 200, { models: factory.models() }) },
    {
      method: "POST",
      pattern: /^\/jobs$/,
      handle: async (req, res) => {
        const session = auth.authenticate(req.headers.authorization);
        sendJson(res, 201, await factory.create((await readJson(req)) as JobRequest, session.address));
      },
    },
    {
      method: "GET",
      pattern: /^\/jobs$/,
      handle: async (_req, res, _params, url) => {
        const creator = url.searchParams.get("creator");
        if (creator !== null && !isAddress(creator)) fail(400, "invalid_address", `"${creator}" is not an address`);
        sendJson(res, 200, { jobs: factory.list((creator ?? undefined) as Address | undefined) });
      },
    },
    { method: "GET", pattern: /^\/jobs\/([^/]+)$/, handle: async (_req, res, [id]) => sendJson(res, 200, factory.describe(jobIdOf(id!))) },
    {
      method: "GET",
      pattern: /^\/jobs\/([^/]+)\/events$/,
      handle: async (req, res, [id], url) => {
        const job = jobIdOf(id!);
        factory.describe(job); // 404 before the stream starts
        const after = Number(req.headers["last-event-id"] ?? url.searchParams.get("after") ?? 0) || 0;
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
        const unsubscribe = factory.subscribe(
          job,
          after,
          ({ seq, message }) => res.write(`id: ${seq}\nevent: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`),
          () => res.end(),
        );
        req.on("close", unsubscribe);
      },
    },
    {
      method: "POST",
      pattern: /^\/jobs\/([^/]+)\/cancel$/,
      handle: async (req, res, [id]) =>
        sendJson(res, 200, factory.cancel(jobIdOf(id!), auth.authenticate(req.headers.authorization).address)),
    },
    {
      method: "POST",
      pattern: /^\/jobs\/([^/]+)\/publish$/,
      handle: async (req, res, [id]) => {
        const published = await factory.publish(jobIdOf(id!), auth.authenticate(req.headers.authorization).address);
        sendJson(res, 201, {
          modelId: published.modelId.toString(),
          txHash: published.txHash,
          cids: published.cids,
          record: JSON.parse(JSON.stringify(published.record, (_k, v) => (typeof v === "bigint" ? v.toString() : v))),
        });
      },
    },
    {
      method: "POST",
      pattern: /^\/jobs\/([^/]+)\/evaluate$/,
      handle: async (req, res, [id]) =>
        sendJson(res, 200, await factory.evaluate(jobIdOf(id!), auth.authenticate(req.headers.authorization).address)),
    },
    {
      method: "POST",
      pattern: /^\/chat$/,
      handle: async (req, res) => {
        auth.authenticate(req.headers.authorization);
        const body = (await readJson(req)) as Record<string, unknown>;
        const { model, adapter } = factory.chatTarget(body);
        const messages = parseMessages(body.messages);
        const sampling = samplingOf(body);
        // Side by side: the fine-tune's answer, then the base model's, to the same messages.
        const targets = body.compare === true && adapter ? [adapter, undefined] : [adapter];
        let streaming = false;
        const send = (event: string, data: unknown) => {
          if (!streaming) res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
          streaming = true;
          res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        try {
          for (const target of targets) {
            const reply = await chat.chat(model, target, messages, sampling, (text) =>
              send("token", { adapter: target?.name ?? null, text }),
            );
            send("reply", reply);
          }
        } catch (error) {
          // Once the stream has begun, a failure is its last event rather than a status code.
          if (!streaming) throw error;
          send(
            "error",
            error instanceof ApiError ? { error: error.code, message: error.message } : { error: "internal", message: "the reply failed" },
          );
        }
        res.end();
      },
    },
    { method: "GET", pattern: /^\/ipfs\/([^/?]+)$/, handle: (req, res, [cid]) => gateway(req, res, cid!) },
    { method: "HEAD", pattern: /^\/ipfs\/([^/?]+)$/, handle: (req, res, [cid]) => gateway(req, res, cid!) },
  ];

  const server = createServer(async (request, response) => {
    // Bearer tokens, not cookies, carry sessions: any origin may call the API (a dapp's frontend).
    response.setHeader("access-control-allow-origin", "*");
    response.setHeader("access-control-expose-headers", "content-range, content-length, etag");
    if (request.method === "OPTIONS") {
      response.writeHead(204, {
        "access-control-allow-methods": "GET, HEAD, POST, OPTIONS",
        "access-control-allow-headers": "authorization, content-type, range",
        "access-control-max-age": "600",
      });
      response.end();
      return;
    }
    const url = new URL(request.url ?? "/", "http://attestor");
    try {
      const matching = routes.filter((route) => route.pattern.test(url.pathname));
      const route = matching.find((r) => r.method === request.method);
      if (!route) {
        if (matching.length) fail(405, "method_not_allowed", `${request.method} is not allowed on ${url.pathname}`);
        fail(404, "not_found", `no route ${url.pathname}`);
      }
      await route!.handle(request, response, route!.pattern.exec(url.pathname)!.slice(1), url);
    } catch (error) {
      sendError(response, error);
      // A refused upload may still be streaming: read and drop the rest so the client can read the answer.
      if (!request.complete) request.resume();
    }
  });
  server.requestTimeout = 300_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

  outbox?.start();
  relay?.start();
  validator?.start();
  factory.recover();

  const close = async () => {
    sweeper.stop();
    await factory.stop();
    await chat.stop();
    await validator?.stop();
    await relay?.stop();
    await outbox?.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await store.close();
    db.close();
  };
  return { url, port, db, store, chain, relay, validator, backlog, models: factory.models, close };
}

export type Attestor = Awaited<ReturnType<typeof createAttestor>>;
