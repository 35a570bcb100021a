import type { Hex } from "viem";
import type { NearDuplicateConfig } from "@provena/runtime";

/** The automatic validator and the verdict relay. */
export type ValidatorConfig = {
  /** The automatic validator's key; unset runs no automatic validator. */
  validatorKey?: Hex;
  relay: { maxBatch: number; maxWaitMs: number; retryMs: number; verdictTtlSeconds: number };
  pollingMs: number;
  /** Blocks a contribution must be under before the automatic validator judges it (0 on the local node, which mines on demand). */
  confirmations: number;
  /** How long one try at fetching and judging a file may take. */
  jobTimeoutMs: number;
  nearDuplicate: NearDuplicateConfig;
  /** When /health reports the follower as not following (default follower.ts's FOLLOWER_BOUNDS). */
  follower?: { maxLagBlocks: number; staleMs: number };
};
