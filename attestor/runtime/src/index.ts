/** @provena/runtime — What every attestor service runs on: the chain client, the database and its migrations, the background loop, content storage (Helia, Kubo), the outbox (the one transaction sender), typed domain errors and the HTTP glue (one kind-to-status map). */
export { connect, type ChainView } from "./chain.js";
export { storageOf, type NearDuplicateConfig, type RuntimeConfig, type ServerConfig } from "./config.js";
export { migrate, openDb, transaction, type Db, type Migration } from "./db.js";
export { AttestorError, fail, withoutUrls } from "./errors.js";
export { readJson } from "./http/json.js";
export { addressOf, contributionOf, datanetIdOf, jobIdOf, pathParam, rawPath } from "./http/params.js";
export { jsonAnswer, notFound, onError } from "./http/status.js";
export { backgroundLoop } from "./loop.js";
export { confirmFingerprint, findNear, forgetFingerprint, indexFingerprint, nearMatches, type NearMatch } from "./nearIndex.js";
export { OutboxFullError, OutboxStoppedError, OutboxUnknownError, OutboxWaitTimeoutError } from "./outbox/errors.js";
export { createOutbox, isFinal, refusedByChain, type EnqueueParameters, type Outbox } from "./outbox/outbox.js";
export { outboxMigrations } from "./outbox/schema.js";
export { firstLineOf, isUnreachable } from "./rpc.js";
export type { AppEnv, Service } from "./service.js";
export { openStore, readAll, type ContentStore } from "./storage/index.js";
