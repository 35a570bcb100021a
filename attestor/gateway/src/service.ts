/**
 * The upload gateway: Sign-In with Ethereum, uploads checked against the chain's terms and pinned, and
 * content served by CID.
 *   GET  /auth/nonce                      a single-use sign-in nonce
 *   POST /auth/verify                     {message, signature} → {token, address, expiresAt}
 *   POST /auth/logout
 *   GET  /datanets/:id/allowance?address= today's allowance (from chain) and the per-file limit
 *   POST /datanets/:id/uploads            multipart files, signed in → CIDs and SHA-256s for `contribute`
 *   GET  /uploads/:id                     an upload's files and their standing on chain
 *   GET|HEAD /ipfs/:cid                   content, verified, with byte ranges
 */
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { MAX_BATCH } from "@provena/common";
import { Hono } from "hono";
import { privateKeyToAccount } from "viem/accounts";
import { createAuth } from "./auth/siwe.js";
import {
  type ChainView,
  type Db,
  migrate,
  readJson,
  addressOf,
  datanetIdOf,
  pathParam,
  jsonAnswer,
  type AppEnv,
  type ContentStore,
} from "@provena/runtime";
import type { GatewayConfig } from "./config.js";
import { createIpfsHandler } from "./ipfs/handler.js";
import { createAdmission } from "./upload/admission.js";
import { createInspector } from "./upload/inspect.js";
import { readMultipart } from "./upload/multipart.js";
import { createPendingTracker, uploadable } from "./upload/pending.js";
import { createUploads } from "./upload/service.js";
import { startSweeper } from "./upload/sweep.js";
import { migrations } from "./migrations.js";

export type CreateGatewayServiceParameters = {
  db: Db;
  store: ContentStore;
  chain: ChainView;
  chainId: number;
  config: GatewayConfig;
  /** The domains sign-in accepts: the configured ones, or this attestor's own once it listens. */
  siweDomains: () => readonly string[];
};

/** Without the Datanet's terms (the chain down, say), a body is read up to the protocol's default file size. */
const FALLBACK_MAX_FILE_BYTES = 5 * 1_048_576;

/** A request's Content-Length, when it declares a valid one (Node's parser reads no byte past it). */
const declaredLength = (header: string | undefined): number | undefined =>
  header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : undefined;

export function createGatewayService({ db, store, chain, chainId, config, siweDomains }: CreateGatewayServiceParameters) {
  migrate(db, migrations);
  const auth = createAuth({
    db,
    chain,
    chainId,
    domains: siweDomains,
    nonceTtlSeconds: config.nonceTtlSeconds,
    sessionTtlSeconds: config.sessionTtlSeconds,
  });
  const inspector = createInspector({ threads: config.uploads.inspectThreads });
  const pendingOf = createPendingTracker(db, chain);
  const uploads = createUploads({
    db,
    store,
    chain,
    inspector,
    pendingOf,
    nearDuplicate: config.nearDuplicate,
    unpinGraceSeconds: config.unpinGraceSeconds,
    quotas: config.uploads,
    receipts: config.receiptKey
      ? { signer: privateKeyToAccount(config.receiptKey), chainId, ledger: chain.ledger.address, graceSeconds: config.unpinGraceSeconds }
      : undefined,
  });
  const admission = createAdmission(config.uploads);
  const ipfs = createIpfsHandler(store, db);
  let sweeper: ReturnType<typeof startSweeper> | undefined;

  const routes = new Hono<AppEnv>()
    .get("/auth/nonce", (c) => jsonAnswer(c, auth.issueNonce()))
    .post("/auth/verify", async (c) => jsonAnswer(c, await auth.signIn(await readJson(c.env.incoming))))
    .post("/auth/logout", (c) => {
      auth.signOut(c.env.incoming.headers.authorization);
      return jsonAnswer(c, { ok: true });
    })
    .get("/datanets/:id/allowance", async (c) => {
      const datanetId = datanetIdOf(pathParam(c, "id"));
      const address = addressOf(c.req.query("address") ?? "", "add ?address=0x… (the contributor's address)");
      const [allowance, terms, pending] = await Promise.all([
        chain.allowance(address, datanetId),
        chain.terms(datanetId, address),
        pendingOf(address, { now: Math.floor(Date.now() / 1000), graceSeconds: config.unpinGraceSeconds }),
      ]);
      return jsonAnswer(c, {
        datanetId: datanetId.toString(),
        address,
        ...allowance,
        /** Of the allowance, what today's uploads not yet contributed hold; a new upload gets the rest. */
        reserved: pending.today,
        uploadable: uploadable(allowance, pending.today),
        maxFileBytes: terms.maxFileBytes,
        maxFiles: MAX_BATCH,
        allowed: terms.allowed,
      });
    })
    .post("/datanets/:id/uploads", async (c) => {
      const session = auth.authenticate(c.env.incoming.headers.authorization);
      const datanetId = datanetIdOf(pathParam(c, "id"));
      // A turn before a byte of the body is read: uploads waiting leave their bytes in the clients' sockets.
      const gone = new AbortController();
      c.env.outgoing.once("close", () => gone.abort());
      const release = await admission.enter(session.address, declaredLength(c.env.incoming.headers["content-length"]), gone.signal);
      try {
        const terms = await chain.terms(datanetId, session.address).catch(() => undefined);
        // Streamed from the Node request with busboy, never buffered whole, within the Datanet's byte limits.
        const files = await readMultipart(c.env.incoming, {
          maxFiles: MAX_BATCH,
          maxFileBytes: terms?.maxFileBytes ?? FALLBACK_MAX_FILE_BYTES,
        });
        return jsonAnswer(c, await uploads.upload(session.address, datanetId, files, terms), 201);
      } finally {
        release();
      }
    })
    .get("/uploads/:id{[0-9a-f]{32}}", async (c) => jsonAnswer(c, await uploads.status(pathParam(c, "id"))))
    .on(["GET", "HEAD"], "/ipfs/:cid", async (c) => {
      // Byte ranges and backpressure are the Node response's own: the handler writes it.
      await ipfs(c.env.incoming, c.env.outgoing, pathParam(c, "cid"));
      return RESPONSE_ALREADY_SENT;
    });

  return {
    routes,
    migrations,
    auth,
    /** Uploads being worked on and waiting, for the health endpoint. */
    uploads: admission.state,
    start: () => {
      sweeper = startSweeper({ db, store, chain, graceSeconds: config.unpinGraceSeconds, intervalMs: config.sweepIntervalMs });
    },
    stop: async () => {
      sweeper?.stop();
      await inspector.close();
    },
  };
}

export type CreateGatewayServiceReturnType = ReturnType<typeof createGatewayService>;
