/**
 * Publishing a trained model: its adapter, training record (spec and manifest of the run), metrics and
 * dataset manifest pinned to IPFS, then the provenance record signed with the attestor's key and
 * registered on `ModelRegistry` through the outbox that sends all of the attestor's transactions
 * (`runtime/outbox`). Returns the model id from the receipt.
 */
import { DatabaseSync } from "node:sqlite";
import { sha256 } from "@provena/common/node";
import { modelRegistryAbi, baseModelId, signedModel, type ModelRecord, encodeManifest, type DatasetManifest } from "@provena/common";
import { BaseError, bytesToHex, ContractFunctionRevertedError, parseEventLogs, type Address, type Hex, type LocalAccount } from "viem";
import { type ChainView, fail, createOutbox, type EnqueueParameters, type Outbox, type ContentStore } from "@provena/runtime";

export type PublishInput = {
  baseModel: { name: string; weightsHash: Hex };
  /** The adapter's weights file (PEFT `adapter_model.safetensors`), or a full model's. */
  adapter: Uint8Array;
  /** What the run was: its spec, the adapter's config, the trainer's manifest (library versions, data digest). */
  training: Record<string, unknown>;
  metrics: Record<string, unknown>;
  manifest: DatasetManifest;
  creator: Address;
  parentId?: bigint;
};

/** Who signs the record and who sends it: the attestor's outbox, or (used alone) a key for a one-off outbox. */
export type Publisher = {
  registry: Address;
  /** Signs the record; must hold ATTESTOR_ROLE. */
  attestor: LocalAccount;
  /** How long the signature stays valid. */
  signatureTtlSeconds?: number;
} & ({ outbox: Outbox } | { outbox?: undefined; sender: LocalAccount });

export type PublishContext = Publisher & { chain: ChainView; store: ContentStore; chainId: number };

/** registerModel's bound; a 1,000-leaf model's record takes about 217,000 gas (docs/benchmarks.md). */
const REGISTER_GAS_LIMIT = 1_000_000n;

export type Published = {
  modelId: bigint;
  txHash: Hex;
  record: ModelRecord;
  cids: Record<"adapter" | "training" | "metrics" | "dataset", string>;
};

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 1)}\n`);

export async function publishModel(ctx: PublishContext, input: PublishInput): Promise<Published> {
  if (input.adapter.length === 0) fail("invalid", "empty_adapter", "the adapter file is empty");
  if (input.manifest.leaves.length === 0) fail("invalid", "empty_dataset", "the dataset manifest lists no contributions");
  const pinned = async (bytes: Uint8Array) => {
    const cid = await ctx.store.add(bytes);
    return { cid, hash: sha256(bytes) };
  };
  const adapter = await pinned(input.adapter);
  const training = await pinned(json(input.training));
  const metrics = await pinned(json(input.metrics));
  const dataset = await pinned(encodeManifest(input.manifest));
  const now = BigInt(Math.floor(Date.now() / 1000));
  const record: ModelRecord = {
    baseModelId: baseModelId(input.baseModel.name),
    baseWeightsHash: input.baseModel.weightsHash,
    adapterHash: adapter.hash,
    adapterCid: bytesToHex(adapter.cid.bytes),
    datasetRoot: input.manifest.root,
    datasetCid: bytesToHex(dataset.cid.bytes),
    datasetBlock: BigInt(input.manifest.datasetBlock),
    datasetSize: input.manifest.leaves.length,
    configHash: training.hash,
    configCid: bytesToHex(training.cid.bytes),
    metricsHash: metrics.hash,
    metricsCid: bytesToHex(metrics.cid.bytes),
    parentId: input.parentId ?? 0n,
    creator: input.creator,
    deadline: now + BigInt(ctx.signatureTtlSeconds ?? 3_600),
  };
  const existing = await ctx.chain.client.readContract({
    address: ctx.registry,
    abi: modelRegistryAbi,
    functionName: "modelByAdapter",
    args: [record.adapterHash],
  });
  if (existing !== 0n) fail("conflict", "already_published", `this adapter is already registered as model ${existing}`);
  const args = await signedModel(ctx.attestor, ctx.chainId, ctx.registry, record);
  const from = ctx.outbox ? ctx.outbox.address : ctx.sender.address;
  // Simulated first (on the pending block, where the transaction will run), so that a refusal comes back
  // as the contract's error and nothing is sent.
  const { request } = await ctx.chain.client
    .simulateContract({
      account: from,
      address: ctx.registry,
      abi: modelRegistryAbi,
      functionName: "registerModel",
      args: [...args],
      blockTag: "pending",
    })
    .catch((error: unknown) => {
      const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
      if (!(reverted instanceof ContractFunctionRevertedError)) throw error;
      const { errorName = "an unknown error", args: details = [] } = reverted.data ?? {};
      return fail("refused", "register_refused", `ModelRegistry refused the record: ${errorName}(${details.map(String).join(", ")})`);
    });
  const outbox = ctx.outbox ?? oneOffOutbox(ctx.chain, ctx.sender);
  const outcome = await send(outbox, {
    to: ctx.registry,
    abi: modelRegistryAbi,
    functionName: "registerModel",
    args: request.args,
    gasLimit: REGISTER_GAS_LIMIT,
  }).finally(() => (ctx.outbox ? undefined : outbox.stop()));
  if (outcome.state === "failed") fail("upstream", "register_unsent", `registerModel was not sent: ${outcome.error}`);
  const txHash = outcome.hash!;
  const receipt = await ctx.chain.client.getTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success") fail("upstream", "register_reverted", `registerModel reverted in ${txHash}`);
  const [event] = parseEventLogs({ abi: modelRegistryAbi, eventName: "ModelRegistered", logs: receipt.logs });
  if (!event) fail("upstream", "register_unconfirmed", `no ModelRegistered event in ${txHash}`);
  return {
    modelId: event!.args.modelId,
    txHash,
    record,
    cids: {
      adapter: adapter.cid.toString(),
      training: training.cid.toString(),
      metrics: metrics.cid.toString(),
      dataset: dataset.cid.toString(),
    },
  };
}

/** publishModel used on its own (tests, benchmarks): an outbox for `sender` in memory, started for this one call. */
function oneOffOutbox(chain: ChainView, sender: LocalAccount): Outbox {
  const db = new DatabaseSync(":memory:");
  const outbox = createOutbox({ db, chain, account: sender, log: () => {} });
  outbox.start();
  return {
    ...outbox,
    stop: async () => {
      await outbox.stop();
      db.close();
    },
  };
}

/** Enqueues the call and waits for its outcome as long as a receipt was waited for before the outbox. */
async function send(outbox: Outbox, call: EnqueueParameters) {
  // A full outbox refuses with OutboxFullError (kind unavailable).
  return outbox.wait(outbox.enqueue(call), { timeoutMs: 180_000 });
}
