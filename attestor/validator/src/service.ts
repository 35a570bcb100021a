/**
 * The validator: the automatic validator (judges new contributions to the Datanets its key validates)
 * and the verdict relay (batches signed verdicts into `submitVerdicts`).
 *   POST /verdicts                        signed verdicts (one, or an array of up to 100) for the relay
 *   GET  /verdicts/:contribution          the relay's verdicts on a contribution and their state
 *   GET  /assessments/:contribution       the automatic validator's score, reason and explanation
 */
import { Hono } from "hono";
import {
  type ChainView,
  type RuntimeConfig,
  type Db,
  migrate,
  fail,
  readJson,
  contributionOf,
  pathParam,
  jsonAnswer,
  type Outbox,
  type AppEnv,
  type ContentStore,
} from "@provena/runtime";
import type { ValidatorConfig } from "./config.js";
import { parseSignedVerdict } from "./relay/check.js";
import { createRelay, type Relay } from "./relay/relay.js";
import { followerError } from "./follower.js";
import { migrations } from "./migrations.js";
import { createValidator, type Validator } from "./validator.js";

export type CreateValidatorServiceParameters = {
  db: Db;
  store: ContentStore;
  chain: ChainView;
  runtime: Pick<RuntimeConfig, "deployment">;
  /** The relayer key's one transaction sender; without it the relay is off. */
  outbox: Outbox | undefined;
  config: ValidatorConfig;
};

const MAX_VERDICTS_PER_REQUEST = 100;

export function createValidatorService({ db, store, chain, runtime, outbox, config }: CreateValidatorServiceParameters) {
  migrate(db, migrations);
  const chainId = runtime.deployment.chainId;
  const relay: Relay | undefined = outbox ? createRelay({ db, chain, chainId, outbox, ...config.relay }) : undefined;
  const validator: Validator | undefined =
    config.validatorKey && relay
      ? createValidator({
          db,
          store,
          chain,
          chainId,
          validatorKey: config.validatorKey,
          relay,
          startBlock: BigInt(runtime.deployment.contracts.ContributionLedger.startBlock),
          pollingMs: config.pollingMs,
          confirmations: config.confirmations,
          jobTimeoutMs: config.jobTimeoutMs,
          verdictTtlSeconds: config.relay.verdictTtlSeconds,
          nearDuplicate: config.nearDuplicate,
        })
      : undefined;
  const requireRelay = (message: string): Relay => relay ?? fail("unavailable", "relay_disabled", message);

  const routes = new Hono<AppEnv>()
    .post("/verdicts", async (c) => {
      const running = requireRelay("this attestor runs no relay (ATTESTOR_RELAYER_KEY is unset)");
      const body = await readJson(c.env.incoming);
      const many = Array.isArray(body);
      const items = many ? body : [body];
      if (items.length === 0 || items.length > MAX_VERDICTS_PER_REQUEST)
        fail("invalid", "invalid_verdict", `send 1 to ${MAX_VERDICTS_PER_REQUEST} verdicts`);
      // All parsed first, so a malformed item refuses the request before anything is queued.
      const parsed = items.map(parseSignedVerdict);
      const results = [];
      for (const signed of parsed)
        results.push({ contribution: signed.verdict.contribution, validator: signed.validator, ...(await running.submit(signed)) });
      return jsonAnswer(c, many ? results : results[0], 202);
    })
    .get("/verdicts/:contribution", (c) => {
      const running = requireRelay("this attestor runs no relay");
      const contribution = contributionOf(pathParam(c, "contribution"));
      return jsonAnswer(c, { contribution, verdicts: running.status(contribution) });
    })
    .get("/assessments/:contribution", (c) => {
      const id = pathParam(c, "contribution");
      const found = validator?.assessment(contributionOf(id));
      if (!found) fail("not_found", "not_assessed", `the automatic validator has not assessed ${id}`);
      return jsonAnswer(c, found);
    });

  /**
   * What the validator still has to do: chain followed up to a block (and how far that is behind the head it
   * last read, beyond its confirmations), files to judge, verdicts to land. `following` is false when it is
   * too far behind, or has not read the head for long (follower.ts: followerError).
   */
  const backlog = () => {
    const lag = validator?.followerLag();
    const reason = validator ? followerError(lag, Date.now(), config.follower) : null;
    const error = reason && `the automatic validator's follower: ${reason}`;
    const headReadAgoMs = lag ? Date.now() - lag.headReadAt : null;
    return {
      followedBlock: validator ? Number(validator.followedBlock()) : null,
      headBlock: lag?.headBlock ?? null,
      lagBlocks: lag?.lagBlocks ?? null,
      headReadAgoMs,
      following: error === null,
      error,
      jobs: validator?.pendingJobs() ?? 0,
      verdicts: relay?.pending() ?? 0,
    };
  };

  return {
    routes,
    migrations,
    relay,
    validator,
    backlog,
    start: () => {
      relay?.start();
      validator?.start();
    },
    stop: async () => {
      await validator?.stop();
      await relay?.stop();
    },
  };
}

export type CreateValidatorServiceReturnType = ReturnType<typeof createValidatorService>;
