import type { ModelRecord } from "@provena/common";
import type { Address, Hex } from "viem";
import type { Verifier } from "../createVerifier.js";
import { modelsOf } from "./contracts.js";

/** `getModel` as stored in ModelRegistry. */
export type StoredModel = Awaited<ReturnType<typeof storedModel>>;

/** What its `ModelRegistered` event carries: the signed record, who attested it, and the signature. */
export type Registration = { record: ModelRecord; attestor: Address; signature: Hex; transactionHash: Hex };

export type ModelFacts =
  | { registered: false; count: bigint }
  | { registered: true; count: bigint; model: StoredModel; at: bigint; registration?: Registration };

/**
 * What the chain says about model `id` at block `head`: how many models there are, the stored model, and its
 * `ModelRegistered` event, looked for in its registration block only.
 */
export async function modelFacts(ctx: Verifier, id: bigint, head: bigint): Promise<ModelFacts> {
  const models = modelsOf(ctx);
  const count = await ctx.client.readContract({ ...models, functionName: "modelCount", blockNumber: head });
  if (id > count) return { registered: false, count };
  const model = await storedModel(ctx, id, head);
  const at = BigInt(model.registeredAt);
  const [event] = await ctx.client.getContractEvents({
    ...models,
    eventName: "ModelRegistered",
    args: { modelId: id },
    fromBlock: at,
    toBlock: at,
    strict: true,
  });
  const registration = event && {
    record: event.args.record as ModelRecord,
    attestor: event.args.attestor,
    signature: event.args.signature,
    transactionHash: event.transactionHash,
  };
  return { registered: true, count, model, at, ...(registration ? { registration } : {}) };
}

/** The stored model `id` at block `head` (for a parent: registered when, flagged or not). */
export const storedModel = (ctx: Verifier, id: bigint, head: bigint) =>
  ctx.client.readContract({ ...modelsOf(ctx), functionName: "getModel", args: [id], blockNumber: head });
