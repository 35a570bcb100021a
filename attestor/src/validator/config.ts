import type { Hex } from "viem";
import type { NearDuplicateConfig } from "../runtime/config.js";

/** The automatic validator and the verdict relay. */
export type ValidatorConfig = {
  /** The automatic validator's key; unset runs no automatic validator. */
  validatorKey?: Hex;
  relay: { maxBatch: number; maxWaitMs: number; retryMs: number; verdictTtlSeconds: number };
  pollingMs: number;
  nearDuplicate: NearDuplicateConfig;
};
