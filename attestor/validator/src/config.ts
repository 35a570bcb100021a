import type { Hex } from "viem";
import type { NearDuplicateConfig } from "@provena/runtime";

/** The automatic validator and the verdict relay. */
export type ValidatorConfig = {
  /** The automatic validator's key; unset runs no automatic validator. */
  validatorKey?: Hex;
  relay: { maxBatch: number; maxWaitMs: number; retryMs: number; verdictTtlSeconds: number };
  pollingMs: number;
  nearDuplicate: NearDuplicateConfig;
};
