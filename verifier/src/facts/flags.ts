import type { Address } from "viem";
import type { Verifier } from "../createVerifier.js";
import { logsOver } from "../fetch/logs.js";
import { modelsOf } from "./contracts.js";

export type ModelFlags = {
  /** The latest `ModelFlagged` event, if any. */
  lastFlag?: { block: bigint; by: Address; reason: string };
  /** The latest `ModelFlagCleared` event, if any. */
  lastClear?: { block: bigint };
};

/** The model's flag history over [from, head]: its latest flag and latest clearing. */
export async function modelFlags(ctx: Verifier, id: bigint, from: bigint, head: bigint): Promise<ModelFlags> {
  const models = modelsOf(ctx);
  const [flags, clears] = await Promise.all([
    logsOver(ctx, from, head, (fromBlock, toBlock) =>
      ctx.client.getContractEvents({ ...models, eventName: "ModelFlagged", args: { modelId: id }, fromBlock, toBlock, strict: true }),
    ),
    logsOver(ctx, from, head, (fromBlock, toBlock) =>
      ctx.client.getContractEvents({ ...models, eventName: "ModelFlagCleared", args: { modelId: id }, fromBlock, toBlock, strict: true }),
    ),
  ]);
  const flag = flags.at(-1);
  const clear = clears.at(-1);
  return {
    ...(flag ? { lastFlag: { block: flag.blockNumber, by: flag.args.by, reason: flag.args.reason } } : {}),
    ...(clear ? { lastClear: { block: clear.blockNumber } } : {}),
  };
}
