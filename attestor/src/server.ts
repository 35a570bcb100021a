/**
 * The attestor's HTTP API: its services composed on one Hono app with one error handler, served by
 * @hono/node-server (loopback by default).
 *   GET  /health                          store kind, chain, validator and relay
 *   gateway (@provena/gateway)            sign-in, uploads, allowance, /ipfs
 *   validator (@provena/validator)        verdicts for the relay, assessments
 *   factory (@provena/factory)            models, training jobs and their events, chat
 */
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
import { parseGwei } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { TrieRouter } from "hono/router/trie-router";
import {
  connect,
  storageOf,
  migrate,
  openDb,
  AttestorError,
  rawPath,
  jsonAnswer,
  notFound,
  onError,
  type AppEnv,
  type Service,
  createOutbox,
  type Outbox,
  outboxMigrations,
  openStore,
} from "@provena/runtime";
import type { AttestorConfig } from "./config.js";
import { createFactoryService } from "@provena/factory";
import { createGatewayService, loopbackDomains } from "@provena/gateway";
import { createValidatorService } from "@provena/validator";

/** A refusal for a path no route has, or a method its routes do not answer (HEAD only where declared). */
function routeTable(apps: readonly Hono<AppEnv>[]) {
  const table = new TrieRouter<string>();
  for (const app of apps) for (const route of app.routes) table.add("ALL", route.path, route.method);
  return (method: string, path: string) => {
    const methods = table.match(method, path)[0].map(([declared]) => declared);
    if (methods.length === 0) throw new AttestorError("not_found", "not_found", `no route ${path}`);
    if (!methods.includes(method))
      throw new AttestorError("method_not_allowed", "method_not_allowed", `${method} is not allowed on ${path}`);
  };
}

export async function createAttestor(config: AttestorConfig) {
  const { runtime } = config;
  const db = openDb(`${runtime.stateDir}/attestor.db`);
  const store = await openStore(storageOf(runtime));
  const chain = connect(runtime.deployment, runtime.rpcUrl);
  // Before the services: the validator's relay tables refer to the outbox's, with or without a relayer key.
  migrate(db, outboxMigrations);
  // One sender for the relayer's key: the relay's batches and model publishing share its nonces.
  const outbox: Outbox | undefined = runtime.relayerKey
    ? createOutbox({ db, chain, account: privateKeyToAccount(runtime.relayerKey), maxFeePerGas: parseGwei(String(runtime.maxFeeGwei)) })
    : undefined;
  let port = 0; // known once the server listens
  const siweDomains = () => config.gateway.siweDomains ?? loopbackDomains(port);
  const gateway = createGatewayService({ db, store, chain, chainId: runtime.deployment.chainId, config: config.gateway, siweDomains });
  const validator = createValidatorService({ db, store, chain, runtime, outbox, config: config.validator });
  const factory = createFactoryService({ db, store, chain, auth: gateway.auth, runtime, outbox, config: config.factory });
  const services: readonly Service[] = [gateway, validator, factory];
  const health = new Hono<AppEnv>().get("/health", (c) =>
    jsonAnswer(c, {
      ok: true,
      store: store.kind,
      chainId: runtime.deployment.chainId,
      validator: validator.validator?.address ?? null,
      relayer: validator.relay?.address ?? null,
      backlog: validator.backlog(),
      uploads: gateway.uploads(),
    }),
  );
  const routes = [health, ...services.map((service) => service.routes)];
  const checkRoute = routeTable(routes);

  const app = new Hono<AppEnv>({ getPath: rawPath });
  app.onError(onError);
  app.notFound(notFound);
  app.use(async (c, next) => {
    const { incoming, outgoing } = c.env;
    // Bearer tokens, not cookies, carry sessions: any origin may call the API (a dapp's frontend).
    // Set on the Node response, so that answers streamed to it carry them too.
    outgoing.setHeader("access-control-allow-origin", "*");
    outgoing.setHeader("access-control-expose-headers", "content-range, content-length, etag, retry-after");
    if (incoming.method === "OPTIONS") {
      // Written to the Node response: a Response would carry node-server's default content-type.
      outgoing
        .writeHead(204, {
          "access-control-allow-methods": "GET, HEAD, POST, OPTIONS",
          "access-control-allow-headers": "authorization, content-type, range",
          "access-control-max-age": "600",
        })
        .end();
      return RESPONSE_ALREADY_SENT;
    }
    checkRoute(incoming.method ?? "GET", c.req.path);
    await next();
  });
  for (const sub of routes) app.route("/", sub);

  // The request bodies are read from the Node request (busboy, JSON with a limit): node-server must not
  // cut off one a refusal left unread, which is drained instead (in onError) so the client reads the answer.
  const server = createAdaptorServer({ fetch: app.fetch, autoCleanupIncoming: false, serverOptions: { requestTimeout: 300_000 } });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const address = bound.address;
  port = bound.port;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

  outbox?.start();
  for (const service of services) service.start();

  const close = async () => {
    for (const service of [...services].reverse()) await service.stop();
    await outbox?.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ("closeAllConnections" in server) server.closeAllConnections();
    });
    await store.close();
    db.close();
  };
  return {
    url,
    port,
    db,
    store,
    chain,
    relay: validator.relay,
    validator: validator.validator,
    backlog: validator.backlog,
    models: factory.models,
    close,
  };
}

export type Attestor = Awaited<ReturnType<typeof createAttestor>>;
