/**
 * The auditor's verifier: checks a registered model's provenance, or one contribution, from the chain (an
 * RPC node) and IPFS (an HTTP gateway) alone. It trusts neither the dataset manifest nor the gateway: every
 * fact is read from the chain's own state and logs, and every file fetched is checked against its CID here
 * (so a gateway that sends other bytes is caught), then against the SHA-256 the chain records.
 *
 * `verifyModel` checks, each as a named check in the report:
 *  - registered: the model exists (`getModel`), its `ModelRegistered` event is found at its registration block;
 *  - record: that event's record hashes (EIP-712 struct hash) to the stored `recordHash`, and the stored
 *    fields (adapter hash, dataset root and block, parent, creator, attestor) are the record's;
 *  - attestor signature: the attestor's EIP-712 signature over the record verifies for its address (EOA or
 *    EIP-1271, at the registration block); attestor role: it held `ATTESTOR_ROLE` at that block;
 *  - not flagged (else the reason from the latest `ModelFlagged` event);
 *  - adapter, config, metrics: fetched by their CIDs, their SHA-256 is the record's;
 *  - dataset manifest: fetched by `datasetCid`, parses, is for this chain, ledger and `datasetBlock`;
 *    dataset root: the Merkle root of its leaves is the record's `datasetRoot`, their count `datasetSize`;
 *  - dataset leaves (four checks over all leaves, naming each failing one): recorded (the contribution
 *    exists and its id is `contributionId(datanet, sha256)`: the SHA-256 is the one its contributor
 *    recorded), accepted (finalized Accepted at a block ≤ `datasetBlock`), quorum (at least the Datanet's
 *    quorum at the finalization block of distinct validators voted accept before it was final), content
 *    (the bytes at the CID recorded on chain hash to the SHA-256);
 *  - parent: a non-zero `parentId` is a registered model.
 *
 * `verifyContribution` checks one contribution: it exists, its `Contributed` event, its content, its status
 * against the ledger's logs, and its votes against the quorum.
 *
 * Logs are fetched in bulk over block ranges (halved when a node refuses a range) and indexed by id; RPC
 * reads go out in JSON-RPC batches; content is fetched with bounded concurrency.
 */
import { CID } from "multiformats/cid";
import {
  createPublicClient,
  defineChain,
  hashStruct,
  http,
  keccak256,
  toHex,
  zeroHash,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { contributionLedgerAbi, datanetRegistryAbi, modelRegistryAbi } from "@provena/common/generated/abis";
import { loadDeployment, deploymentPath, type Deployment } from "@provena/common/deployment";
import { fileTypeByCode } from "@provena/common/fileTypes";
import { datasetRoot, modelTypedData, modelTypes, type ModelRecord } from "@provena/common/models";
import { contributionId } from "@provena/common/verdicts";
import { statusName } from "@provena/common/codes";
import { sha256 } from "@provena/common/cid";
import { logsInRanges } from "../chain.js";
import { cidFromHex, cidOf } from "../storage/profile.js";
import { parseManifest, type DatasetManifest } from "./manifest.js";

// ------------------------------------------------------------------ context

export const DEFAULT_GATEWAY = "http://127.0.0.1:8788";

export type VerifierOptions = {
  deployment: Deployment;
  /** Default: the deployment's `rpcUrl`. */
  rpcUrl?: string;
  /** An HTTP gateway serving `/ipfs/<cid>`. Default: the local attestor. */
  gateway?: string;
  /** Files fetched at once (default 16). */
  concurrency?: number;
  /** Blocks per `eth_getLogs` call to start with (default 50,000; halved when a node refuses a range). */
  logRange?: bigint;
  /** Per file fetch (default 60 s). */
  fetchTimeoutMs?: number;
};

export type Verifier = {
  deployment: Deployment;
  rpcUrl: string;
  gateway: string;
  client: PublicClient;
  concurrency: number;
  logRange: bigint;
  fetchTimeoutMs: number;
};

/** A problem with the request or the setup rather than with what is verified: bad usage, no chain. */
export class VerifyError extends Error {
  constructor(
    readonly kind: "usage" | "unreachable",
    message: string,
  ) {
    super(message);
    this.name = "VerifyError";
  }
}

/** Options from the environment: PROVENA_DEPLOYMENT, PROVENA_RPC_URL, PROVENA_IPFS_GATEWAY. */
export function optionsFromEnv(env: Record<string, string | undefined> = process.env): VerifierOptions {
  let deployment: Deployment;
  try {
    deployment = loadDeployment(deploymentPath(env));
  } catch (error) {
    throw new VerifyError("unreachable", (error as Error).message);
  }
  return {
    deployment,
    ...(env.PROVENA_RPC_URL ? { rpcUrl: env.PROVENA_RPC_URL } : {}),
    gateway: env.PROVENA_IPFS_GATEWAY || DEFAULT_GATEWAY,
  };
}

/** Connects to the chain and checks that it is the deployment's. Throws `VerifyError` ("unreachable") if not. */
export async function createVerifier(options: VerifierOptions): Promise<Verifier> {
  const { deployment } = options;
  const rpcUrl = options.rpcUrl ?? deployment.rpcUrl;
  if (!rpcUrl) throw new VerifyError("unreachable", "no RPC URL: set PROVENA_RPC_URL (the deployment file names none)");
  const chain = defineChain({
    id: deployment.chainId,
    name: deployment.network,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createPublicClient({
    chain,
    transport: http(rpcUrl, { batch: { batchSize: 100, wait: 0 }, retryCount: 2, timeout: 30_000 }),
  }) as PublicClient;
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (error) {
    throw new VerifyError("unreachable", `cannot reach the chain at ${rpcUrl}: ${short(error)}`);
  }
  if (chainId !== deployment.chainId) {
    throw new VerifyError(
      "unreachable",
      `the node at ${rpcUrl} is chain ${chainId}; the deployment (${deployment.network}) is for chain ${deployment.chainId}`,
    );
  }
  const code = await client.getCode({ address: deployment.contracts.ModelRegistry.address }).catch(() => undefined);
  if (!code || code === "0x") {
    throw new VerifyError(
      "unreachable",
      `no ModelRegistry at ${deployment.contracts.ModelRegistry.address} on the node at ${rpcUrl}: is the deployment file for this node?`,
    );
  }
  return {
    deployment,
    rpcUrl,
    gateway: (options.gateway ?? DEFAULT_GATEWAY).replace(/\/+$/, ""),
    client,
    concurrency: options.concurrency ?? 16,
    logRange: options.logRange ?? 50_000n,
    fetchTimeoutMs: options.fetchTimeoutMs ?? 60_000,
  };
}

// ------------------------------------------------------------------ reports

export type Check = {
  check: string;
  ok: boolean;
  detail: string;
  /** For checks over many leaves: each failing one and why. */
  failures?: { id: Hex; problem: string }[];
};

export type Report = {
  subject: string;
  ok: boolean;
  /** What was verified (ids, addresses, blocks), as strings and numbers. */
  facts: Record<string, string | number | boolean>;
  checks: Check[];
};

const report = (subject: string, facts: Report["facts"], checks: Check[]): Report => ({
  subject,
  ok: checks.length > 0 && checks.every((c) => c.ok),
  facts,
  checks,
});

const pass = (check: string, detail: string): Check => ({ check, ok: true, detail });
const fail = (check: string, detail: string): Check => ({ check, ok: false, detail });

const short = (error: unknown): string => {
  const e = error as { shortMessage?: string; message?: string };
  return (e?.shortMessage ?? e?.message ?? String(error)).split("\n")[0]!;
};

/** Runs a check; an error thrown while checking (RPC failure, …) fails it with that error. */
async function guarded(check: string, run: () => Promise<Check>): Promise<Check> {
  try {
    return await run();
  } catch (error) {
    return fail(check, `could not be checked: ${short(error)}`);
  }
}

/** A check over many leaves: passes when none fails; otherwise names each failing leaf and why. */
function overLeaves(check: string, total: number, okDetail: string, failures: { id: Hex; problem: string }[], shown = 10): Check {
  if (failures.length === 0) return pass(check, okDetail);
  const listed = failures.slice(0, shown).map((f) => `${f.id}: ${f.problem}`);
  const more = failures.length > shown ? `; … and ${failures.length - shown} more` : "";
  return { check, ok: false, detail: `${failures.length} of ${total} leaves fail: ${listed.join("; ")}${more}`, failures };
}

// ------------------------------------------------------------------ ids

const UINT256_MAX = (1n << 256n) - 1n;

/** A model id: a positive decimal integer. Throws `VerifyError` ("usage") for anything else. */
export function parseModelId(input: bigint | number | string): bigint {
  const text = String(input).trim();
  if (!/^[0-9]+$/.test(text)) throw new VerifyError("usage", `"${text}" is not a model id: model ids are positive integers (1, 2, …)`);
  const id = BigInt(text);
  if (id === 0n || id > UINT256_MAX)
    throw new VerifyError("usage", `"${text}" is not a model id: model ids are positive integers (1, 2, …)`);
  return id;
}

/** A contribution id: 0x and 64 hex digits. Throws `VerifyError` ("usage") for anything else. */
export function parseContributionId(input: string): Hex {
  const text = input.trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(text))
    throw new VerifyError("usage", `"${text}" is not a contribution id: expected 0x and 64 hex digits (keccak256(datanetId, sha256))`);
  return text.toLowerCase() as Hex;
}

// ------------------------------------------------------------------ helpers

const sameHex = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const RAW_CODEC = 0x55;
const SHA2_256 = 0x12;

/** Runs `fn` over `items`, at most `limit` at a time; results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Logs over [from, to] in ranges of `ctx.logRange` blocks. */
const rangedLogs = <T>(ctx: Verifier, from: bigint, to: bigint, get: (fromBlock: bigint, toBlock: bigint) => Promise<T[]>): Promise<T[]> =>
  logsInRanges(from, to, ctx.logRange, get);

export type Fetched = { ok: true; bytes: Uint8Array; sha256: Hex; cid: string } | { ok: false; problem: string };

/**
 * Fetches the file a CID (hex bytes) names from the gateway and checks the bytes against the CID here:
 * a raw SHA-256 CID by its digest, any other by recomputing the CID under the project's profile (`cidOf`).
 * Never throws; a problem says what went wrong.
 */
export async function fetchVerified(ctx: Verifier, cidHex: Hex, maxBytes = 1 << 30): Promise<Fetched> {
  const cid = cidFromHex(cidHex);
  if (!cid) return { ok: false, problem: `${cidHex} is not a CID` };
  const name = cid.toString();
  let bytes: Uint8Array;
  try {
    bytes = await fetchBytes(`${ctx.gateway}/ipfs/${name}`, maxBytes, ctx.fetchTimeoutMs);
  } catch (error) {
    return { ok: false, problem: `${name} could not be fetched from ${ctx.gateway}: ${(error as Error).message}` };
  }
  const digest = sha256(bytes);
  let matches: boolean;
  if (cid.code === RAW_CODEC && cid.multihash.code === SHA2_256) {
    matches = sameHex(toHex(cid.multihash.digest), digest);
  } else {
    matches = (await cidOf(bytes)).equals(cid);
  }
  if (!matches) {
    const actual = (await cidOf(bytes)).toString();
    return { ok: false, problem: `bytes do not match CID ${name}: the gateway sent ${bytes.length} bytes whose CID is ${actual}` };
  }
  return { ok: true, bytes, sha256: digest, cid: name };
}

async function fetchBytes(url: string, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  let lastError: Error = new Error("not fetched");
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      lastError = new Error(short((error as { cause?: unknown }).cause ?? error));
      continue;
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new Error("not found (404)");
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      lastError = new Error(`the gateway answered ${response.status}`);
      if (response.status >= 500 || response.status === 429) continue;
      throw lastError;
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body! as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (total > maxBytes) {
          await response.body!.cancel().catch(() => {});
          throw new Error(`the gateway sent more than ${maxBytes} bytes`);
        }
        parts.push(chunk);
      }
    } catch (error) {
      if ((error as Error).message.startsWith("the gateway sent more")) throw error;
      lastError = new Error(`the answer was cut short: ${short(error)}`);
      continue;
    }
    const joined = Buffer.concat(parts);
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
  }
  throw lastError;
}

// ------------------------------------------------------------------ contributions on chain

type Vote = { validator: Address; accept: boolean; score: number; reason: number; block: bigint; logIndex: number };

export type ContributionFacts = {
  id: Hex;
  /** `getContribution` now; status 0 (none) for an unknown id. */
  stored: { contributor: Address; datanetId: number; fileType: number; status: number; score: number; accepts: number; rejects: number };
  /** Its item in the `Contributed` event. */
  contributed?: {
    block: bigint;
    tx: Hex;
    contributor: Address;
    datanetId: bigint;
    contentHash: Hex;
    cid: Hex;
    size: number;
    fileType: number;
  };
  finalized?: { block: bigint; logIndex: number; status: number; score: number };
  votes: Vote[];
  /** The Datanet's quorum at the finalization block. */
  quorum?: number;
};

const ledgerOf = (ctx: Verifier) => ({ address: ctx.deployment.contracts.ContributionLedger.address, abi: contributionLedgerAbi }) as const;
const registryOf = (ctx: Verifier) => ({ address: ctx.deployment.contracts.DatanetRegistry.address, abi: datanetRegistryAbi }) as const;
const modelsOf = (ctx: Verifier) => ({ address: ctx.deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi }) as const;

/** Ids filtered by topic when few; otherwise all events of the range, kept by id. */
const ID_TOPIC_LIMIT = 32;

/**
 * Everything the chain says about `ids` up to block `head`: stored state, the `Contributed` item, the
 * finalization, the votes and the quorum at the finalization block. A few `getLogs` calls in all.
 */
export async function contributionFacts(ctx: Verifier, ids: readonly Hex[], head: bigint): Promise<Map<Hex, ContributionFacts>> {
  const ledger = ledgerOf(ctx);
  const unique = [...new Set(ids.map((id) => id.toLowerCase() as Hex))];
  const facts = new Map<Hex, ContributionFacts>();
  const stored = await mapLimit(unique, 64, (id) =>
    ctx.client.readContract({ ...ledger, functionName: "getContribution", args: [id], blockNumber: head }),
  );
  unique.forEach((id, i) => {
    const s = stored[i]!;
    facts.set(id, {
      id,
      stored: {
        contributor: s.contributor,
        datanetId: s.datanetId,
        fileType: s.fileType,
        status: s.status,
        score: s.score,
        accepts: s.accepts,
        rejects: s.rejects,
      },
      votes: [],
    });
  });
  const known = unique.filter((id) => facts.get(id)!.stored.status !== 0);
  if (known.length === 0) return facts;
  const from = BigInt(ctx.deployment.contracts.ContributionLedger.startBlock);
  const byTopic = known.length <= ID_TOPIC_LIMIT;

  // Contributed: indexed by Datanet, items in the data; ids recomputed from (datanetId, contentHash).
  const datanets = [...new Set(known.map((id) => BigInt(facts.get(id)!.stored.datanetId)))];
  const contributed = await rangedLogs(ctx, from, head, (fromBlock, toBlock) =>
    ctx.client.getContractEvents({ ...ledger, eventName: "Contributed", args: { datanetId: datanets }, fromBlock, toBlock, strict: true }),
  );
  for (const log of contributed) {
    for (const item of log.args.items) {
      const id = contributionId(log.args.datanetId, item.contentHash).toLowerCase() as Hex;
      const f = facts.get(id);
      if (!f || f.contributed) continue;
      f.contributed = {
        block: log.blockNumber,
        tx: log.transactionHash,
        contributor: log.args.contributor,
        datanetId: log.args.datanetId,
        contentHash: item.contentHash,
        cid: item.cid,
        size: item.size,
        fileType: item.fileType,
      };
    }
  }

  const idArgs = byTopic ? { id: known } : undefined;
  const finalized = await rangedLogs(ctx, from, head, (fromBlock, toBlock) =>
    ctx.client.getContractEvents({
      ...ledger,
      eventName: "ContributionFinalized",
      ...(idArgs ? { args: idArgs } : {}),
      fromBlock,
      toBlock,
      strict: true,
    }),
  );
  for (const log of finalized) {
    const f = facts.get(log.args.id.toLowerCase() as Hex);
    if (f && !f.finalized) f.finalized = { block: log.blockNumber, logIndex: log.logIndex, status: log.args.status, score: log.args.score };
  }
  const votes = await rangedLogs(ctx, from, head, (fromBlock, toBlock) =>
    ctx.client.getContractEvents({
      ...ledger,
      eventName: "VoteCast",
      ...(idArgs ? { args: idArgs } : {}),
      fromBlock,
      toBlock,
      strict: true,
    }),
  );
  for (const log of votes) {
    const f = facts.get(log.args.id.toLowerCase() as Hex);
    if (!f) continue;
    f.votes.push({
      validator: log.args.validator,
      accept: log.args.accept,
      score: log.args.score,
      reason: log.args.reason,
      block: log.blockNumber,
      logIndex: log.logIndex,
    });
  }

  // The quorum as of each finalization block, read once per (Datanet, block).
  const quorumKeys = new Map<string, { datanetId: bigint; block: bigint }>();
  for (const f of facts.values()) {
    if (f.finalized)
      quorumKeys.set(`${f.stored.datanetId}@${f.finalized.block}`, { datanetId: BigInt(f.stored.datanetId), block: f.finalized.block });
  }
  const keys = [...quorumKeys.entries()];
  const quorums = await mapLimit(keys, 64, ([, k]) =>
    ctx.client.readContract({ ...registryOf(ctx), functionName: "getDatanet", args: [k.datanetId], blockNumber: k.block }),
  );
  const quorumAt = new Map(keys.map(([key], i) => [key, quorums[i]!.quorum]));
  for (const f of facts.values()) {
    if (f.finalized) f.quorum = quorumAt.get(`${f.stored.datanetId}@${f.finalized.block}`);
  }
  return facts;
}

/** Distinct validators who voted `accept` before the contribution became final. */
const decidingVoters = (f: ContributionFacts, accept: boolean): Address[] => {
  const before = (v: Vote) =>
    !f.finalized || v.block < f.finalized.block || (v.block === f.finalized.block && v.logIndex < f.finalized.logIndex);
  return [...new Set(f.votes.filter((v) => v.accept === accept && before(v)).map((v) => v.validator.toLowerCase() as Address))];
};

/** Why the contribution's votes do not carry its final status; undefined when they do (or it is not final). */
function quorumProblem(f: ContributionFacts): string | undefined {
  if (!f.finalized) return undefined;
  const accept = f.finalized.status === 2;
  const voters = decidingVoters(f, accept);
  if (f.quorum === undefined) return `no quorum read at block ${f.finalized.block}`;
  if (voters.length < f.quorum) {
    return `${voters.length} distinct validator(s) voted ${accept ? "accept" : "reject"} before it was finalized ${statusName(f.finalized.status)} at block ${f.finalized.block}; the quorum there was ${f.quorum}`;
  }
  return undefined;
}

const LEAF_FETCH_CAP = 16 * 1_048_576;

/** Fetches each contribution's content by the CID on chain; a problem per id, or none. */
async function contentProblems(ctx: Verifier, list: readonly ContributionFacts[]): Promise<Map<Hex, string | undefined>> {
  const results = await mapLimit(list, ctx.concurrency, async (f) => {
    const c = f.contributed!;
    // Bounded: a file is at most 5 MB on chain; more than the larger of that and its recorded size is refused.
    const fetched = await fetchVerified(ctx, c.cid, Math.max(c.size, LEAF_FETCH_CAP));
    if (!fetched.ok) return fetched.problem;
    if (!sameHex(fetched.sha256, c.contentHash)) {
      return `content hash changed: the ${fetched.bytes.length} bytes at its CID ${fetched.cid} (recorded on chain) have SHA-256 ${fetched.sha256}, the chain records ${c.contentHash}`;
    }
    if (fetched.bytes.length !== c.size)
      return `the content at ${fetched.cid} is ${fetched.bytes.length} bytes, the chain records ${c.size}`;
    return undefined;
  });
  return new Map(list.map((f, i) => [f.id, results[i]]));
}

// ------------------------------------------------------------------ signature

export type SignatureInput = { record: ModelRecord; attestor: Address; signature: Hex; blockNumber?: bigint };

/**
 * Whether `signature` is `attestor`'s EIP-712 signature over `record` in this deployment's ModelRegistry
 * domain: an EOA's by recovery, a contract wallet's by its EIP-1271 `isValidSignature` (at `blockNumber`).
 */
export async function verifyAttestorSignature(ctx: Verifier, input: SignatureInput): Promise<Check> {
  const check = "attestor signature";
  return guarded(check, async () => {
    const valid = await ctx.client.verifyTypedData({
      address: input.attestor,
      signature: input.signature,
      ...modelTypedData(ctx.deployment.chainId, ctx.deployment.contracts.ModelRegistry.address, input.record),
      ...(input.blockNumber !== undefined ? { blockNumber: input.blockNumber } : {}),
    });
    const where = input.blockNumber !== undefined ? ` (checked at block ${input.blockNumber})` : "";
    return valid
      ? pass(check, `the EIP-712 signature over the record verifies for attestor ${input.attestor}${where}`)
      : fail(
          check,
          `the signature over the record does not verify for attestor ${input.attestor}${where}: not signed by it, or the record was altered after signing`,
        );
  });
}

// ------------------------------------------------------------------ models

export const ATTESTOR_ROLE = keccak256(toHex("ATTESTOR_ROLE"));

/** Verifies model `id`'s provenance. Throws `VerifyError` for a malformed id. */
export async function verifyModel(ctx: Verifier, idInput: bigint | number | string): Promise<Report> {
  const id = parseModelId(idInput);
  const models = modelsOf(ctx);
  const subject = `model ${id}`;
  const facts: Report["facts"] = { model: id.toString(), registry: models.address, chainId: ctx.deployment.chainId };
  const checks: Check[] = [];
  const head = await ctx.client.getBlockNumber({ cacheTime: 0 });

  const count = await ctx.client.readContract({ ...models, functionName: "modelCount", blockNumber: head });
  if (id > count) {
    checks.push(
      fail("registered", `model ${id} is not registered: ModelRegistry ${models.address} holds ${count} model(s) (ids 1..${count})`),
    );
    return report(subject, facts, checks);
  }
  const model = await ctx.client.readContract({ ...models, functionName: "getModel", args: [id], blockNumber: head });
  const at = BigInt(model.registeredAt);
  const events = await ctx.client.getContractEvents({
    ...models,
    eventName: "ModelRegistered",
    args: { modelId: id },
    fromBlock: at,
    toBlock: at,
    strict: true,
  });
  const event = events[0];
  if (!event) {
    checks.push(
      fail("registered", `model ${id} is stored (registered at block ${at}) but no ModelRegistered event for it is in that block`),
    );
    return report(subject, facts, checks);
  }
  const record = event.args.record as ModelRecord;
  const attestor = event.args.attestor;
  Object.assign(facts, {
    registeredAt: Number(at),
    transaction: event.transactionHash,
    attestor,
    creator: record.creator,
    datasetBlock: Number(record.datasetBlock),
    datasetSize: record.datasetSize,
    parentId: record.parentId.toString(),
  });
  checks.push(
    pass(
      "registered",
      `model ${id} registered at block ${at} (tx ${event.transactionHash}) by attestor ${attestor} for creator ${record.creator}`,
    ),
  );

  // The record in the event is the one stored.
  const recordHash = hashStruct({ types: modelTypes, primaryType: "ModelRecord", data: record });
  const mismatches: string[] = [];
  if (!sameHex(recordHash, model.recordHash))
    mismatches.push(`the event's record hashes to ${recordHash}, the stored recordHash is ${model.recordHash}`);
  if (!sameHex(record.adapterHash, model.adapterHash))
    mismatches.push(`adapterHash: record ${record.adapterHash}, stored ${model.adapterHash}`);
  if (!sameHex(record.datasetRoot, model.datasetRoot))
    mismatches.push(`datasetRoot: record ${record.datasetRoot}, stored ${model.datasetRoot}`);
  if (record.datasetBlock !== BigInt(model.datasetBlock))
    mismatches.push(`datasetBlock: record ${record.datasetBlock}, stored ${model.datasetBlock}`);
  if (record.parentId !== model.parentId) mismatches.push(`parentId: record ${record.parentId}, stored ${model.parentId}`);
  if (!sameHex(record.creator, model.creator)) mismatches.push(`creator: record ${record.creator}, stored ${model.creator}`);
  if (!sameHex(attestor, model.attestor)) mismatches.push(`attestor: event ${attestor}, stored ${model.attestor}`);
  checks.push(
    mismatches.length
      ? fail("record", mismatches.join("; "))
      : pass("record", `the ModelRegistered record hashes to the stored recordHash ${model.recordHash}`),
  );

  checks.push(await verifyAttestorSignature(ctx, { record, attestor, signature: event.args.signature, blockNumber: at }));

  checks.push(
    await guarded("attestor role", async () => {
      const [then, now] = await Promise.all([
        ctx.client.readContract({ ...models, functionName: "hasRole", args: [ATTESTOR_ROLE, attestor], blockNumber: at }),
        ctx.client.readContract({ ...models, functionName: "hasRole", args: [ATTESTOR_ROLE, attestor], blockNumber: head }),
      ]);
      return then
        ? pass("attestor role", `${attestor} held ATTESTOR_ROLE at block ${at}${now ? "" : " (since revoked)"}`)
        : fail("attestor role", `${attestor} did not hold ATTESTOR_ROLE at the registration block ${at}`);
    }),
  );

  checks.push(
    await guarded("not flagged", async () => {
      const [flags, clears] = await Promise.all([
        rangedLogs(ctx, at, head, (fromBlock, toBlock) =>
          ctx.client.getContractEvents({ ...models, eventName: "ModelFlagged", args: { modelId: id }, fromBlock, toBlock, strict: true }),
        ),
        rangedLogs(ctx, at, head, (fromBlock, toBlock) =>
          ctx.client.getContractEvents({
            ...models,
            eventName: "ModelFlagCleared",
            args: { modelId: id },
            fromBlock,
            toBlock,
            strict: true,
          }),
        ),
      ]);
      const lastFlag = flags.at(-1);
      if (model.flagged) {
        return lastFlag
          ? fail("not flagged", `flagged at block ${lastFlag.blockNumber} by ${lastFlag.args.by}: "${lastFlag.args.reason}"`)
          : fail("not flagged", "flagged (no ModelFlagged event found for the reason)");
      }
      const lastClear = clears.at(-1);
      return pass(
        "not flagged",
        lastFlag && lastClear
          ? `not flagged (flagged at block ${lastFlag.blockNumber}: "${lastFlag.args.reason}"; cleared at block ${lastClear.blockNumber})`
          : "never flagged",
      );
    }),
  );

  for (const [check, cid, hash] of [
    ["adapter", record.adapterCid, record.adapterHash],
    ["config", record.configCid, record.configHash],
    ["metrics", record.metricsCid, record.metricsHash],
  ] as const) {
    checks.push(
      await guarded(check, async () => {
        if (check === "metrics" && hash === zeroHash) return pass(check, "no metrics document (metricsHash is zero)");
        const fetched = await fetchVerified(ctx, cid);
        if (!fetched.ok) return fail(check, fetched.problem);
        return sameHex(fetched.sha256, hash)
          ? pass(check, `${fetched.bytes.length} bytes at ${fetched.cid}, SHA-256 ${hash} as recorded`)
          : fail(
              check,
              `the ${fetched.bytes.length} bytes at ${check}Cid ${fetched.cid} have SHA-256 ${fetched.sha256}; the record's ${check}Hash is ${hash}`,
            );
      }),
    );
  }

  // The dataset manifest, then every leaf against the chain.
  let manifest: DatasetManifest | undefined;
  checks.push(
    await guarded("dataset manifest", async () => {
      const fetched = await fetchVerified(ctx, record.datasetCid);
      if (!fetched.ok) return fail("dataset manifest", fetched.problem);
      const parsed = parseManifest(fetched.bytes);
      if ("error" in parsed) return fail("dataset manifest", `${fetched.cid}: ${parsed.error}`);
      manifest = parsed;
      const problems: string[] = [];
      const ledger = ctx.deployment.contracts.ContributionLedger.address;
      if (parsed.chainId !== ctx.deployment.chainId)
        problems.push(`it is for chain ${parsed.chainId}, the deployment's is ${ctx.deployment.chainId}`);
      if (!sameHex(parsed.ledger, ledger)) problems.push(`its ledger is ${parsed.ledger}, the deployment's is ${ledger}`);
      if (BigInt(parsed.datasetBlock) !== record.datasetBlock)
        problems.push(`its datasetBlock is ${parsed.datasetBlock}, the record's is ${record.datasetBlock}`);
      return problems.length
        ? fail("dataset manifest", `${fetched.cid}: ${problems.join("; ")}`)
        : pass(
            "dataset manifest",
            `${fetched.cid}: ${parsed.leaves.length} leaves from Datanet(s) ${parsed.datanets.join(", ") || "none"}, chain ${parsed.chainId}, ledger ${parsed.ledger}, block ${parsed.datasetBlock}`,
          );
    }),
  );
  if (manifest) {
    const m = manifest;
    checks.push(
      await guarded("dataset root", async () => {
        let root: Hex;
        try {
          root = datasetRoot(m.leaves);
        } catch (error) {
          return fail("dataset root", `the manifest's leaves make no dataset: ${(error as Error).message}`);
        }
        const problems: string[] = [];
        if (!sameHex(root, record.datasetRoot))
          problems.push(
            `the Merkle root of the manifest's ${m.leaves.length} leaves is ${root}, the record's datasetRoot is ${record.datasetRoot}`,
          );
        if (m.leaves.length !== record.datasetSize)
          problems.push(`the manifest has ${m.leaves.length} leaves, the record's datasetSize is ${record.datasetSize}`);
        if (problems.length === 0 && !sameHex(m.root, root)) problems.push(`the manifest states root ${m.root}, its leaves give ${root}`);
        return problems.length
          ? fail("dataset root", problems.join("; "))
          : pass("dataset root", `${m.leaves.length} leaves, Merkle root ${root} as recorded`);
      }),
    );
    checks.push(...(await leafChecks(ctx, m, record.datasetBlock, head)));
  } else {
    checks.push(fail("dataset leaves", "not checked: no usable dataset manifest"));
  }

  checks.push(
    await guarded("parent", async () => {
      if (record.parentId === 0n) return pass("parent", "no parent model (parentId 0)");
      const parentCount = count;
      if (record.parentId > parentCount)
        return fail("parent", `parent model ${record.parentId} is not registered (ModelRegistry holds ${parentCount})`);
      const parent = await ctx.client.readContract({ ...models, functionName: "getModel", args: [record.parentId], blockNumber: head });
      return pass(
        "parent",
        `parent model ${record.parentId} registered at block ${parent.registeredAt}${parent.flagged ? " (it is flagged)" : ""}`,
      );
    }),
  );
  return report(subject, facts, checks);
}

/** The four checks over every leaf of the manifest. */
async function leafChecks(ctx: Verifier, manifest: DatasetManifest, datasetBlock: bigint, head: bigint): Promise<Check[]> {
  const names = ["dataset leaves: recorded", "dataset leaves: accepted", "dataset leaves: quorum", "dataset leaves: content"] as const;
  let all: Map<Hex, ContributionFacts>;
  try {
    all = await contributionFacts(
      ctx,
      manifest.leaves.map((leaf) => leaf.contribution),
      head,
    );
  } catch (error) {
    return names.map((name) => fail(name, `could not be checked: ${short(error)}`));
  }
  const n = manifest.leaves.length;
  const recorded: { id: Hex; problem: string }[] = [];
  const accepted: { id: Hex; problem: string }[] = [];
  const quorum: { id: Hex; problem: string }[] = [];
  const content: { id: Hex; problem: string }[] = [];
  const toFetch: ContributionFacts[] = [];

  for (const leaf of manifest.leaves) {
    const id = leaf.contribution.toLowerCase() as Hex;
    const f = all.get(id)!;
    if (f.stored.status === 0) {
      recorded.push({ id, problem: "unknown: no such contribution on chain" });
      content.push({ id, problem: "not checked: unknown contribution" });
      continue;
    }
    const problems: string[] = [];
    const expected = contributionId(BigInt(f.stored.datanetId), leaf.sha256);
    if (!sameHex(expected, id))
      problems.push(
        `the leaf's SHA-256 ${leaf.sha256} is not the one recorded for it in Datanet ${f.stored.datanetId} (that would be contribution ${expected})`,
      );
    if (String(f.stored.datanetId) !== String(leaf.datanetId))
      problems.push(`the manifest says Datanet ${leaf.datanetId}, the chain says ${f.stored.datanetId}`);
    if (!f.contributed) problems.push("no Contributed event found for it");
    else {
      const chainCid = cidFromHex(f.contributed.cid);
      let manifestCid: CID | undefined;
      try {
        manifestCid = CID.parse(leaf.cid);
      } catch {
        manifestCid = undefined;
      }
      if (!manifestCid || !chainCid || !manifestCid.equals(chainCid))
        problems.push(`the manifest's CID ${leaf.cid} is not the one on chain (${chainCid?.toString() ?? f.contributed.cid})`);
    }
    if (problems.length) recorded.push({ id, problem: problems.join("; ") });

    const fin = f.finalized;
    if (!fin) accepted.push({ id, problem: `not final: ${statusName(f.stored.status)}` });
    else if (fin.status !== 2) accepted.push({ id, problem: `${statusName(fin.status)} at block ${fin.block}` });
    else if (fin.block > datasetBlock)
      accepted.push({ id, problem: `accepted at block ${fin.block}, after the dataset block ${datasetBlock}` });

    if (fin && fin.status === 2) {
      const problem = quorumProblem(f);
      if (problem) quorum.push({ id, problem });
    }
    if (f.contributed) toFetch.push(f);
    else content.push({ id, problem: "not checked: no Contributed event (no CID on chain)" });
  }
  const fetched = await contentProblems(ctx, toFetch);
  for (const [id, problem] of fetched) if (problem) content.push({ id, problem });
  const order = new Map(manifest.leaves.map((leaf, i) => [leaf.contribution.toLowerCase(), i]));
  content.sort((a, b) => order.get(a.id)! - order.get(b.id)!);

  return [
    overLeaves(names[0], n, `all ${n} leaves are contributions on chain whose recorded SHA-256 is the leaf's`, recorded),
    overLeaves(names[1], n, `all ${n} leaves were finalized Accepted at or before the dataset block ${datasetBlock}`, accepted),
    overLeaves(names[2], n, `every accepted leaf had at least its Datanet's quorum of distinct accepting validators`, quorum),
    overLeaves(names[3], n, `the bytes of all ${n} leaves, fetched by the CIDs on chain, hash to their recorded SHA-256`, content),
  ];
}

// ------------------------------------------------------------------ contributions

/** Verifies one contribution. Throws `VerifyError` for a malformed id. */
export async function verifyContribution(ctx: Verifier, idInput: string): Promise<Report> {
  const id = parseContributionId(idInput);
  const subject = `contribution ${id}`;
  const facts: Report["facts"] = {
    contribution: id,
    ledger: ctx.deployment.contracts.ContributionLedger.address,
    chainId: ctx.deployment.chainId,
  };
  const checks: Check[] = [];
  const head = await ctx.client.getBlockNumber({ cacheTime: 0 });
  const f = (await contributionFacts(ctx, [id], head)).get(id)!;
  if (f.stored.status === 0) {
    checks.push(fail("exists", `no contribution ${id} in ContributionLedger ${ctx.deployment.contracts.ContributionLedger.address}`));
    return report(subject, facts, checks);
  }
  const type = fileTypeByCode(f.stored.fileType)?.name ?? `type ${f.stored.fileType}`;
  checks.push(pass("exists", `in Datanet ${f.stored.datanetId}, by ${f.stored.contributor}, ${type}, ${statusName(f.stored.status)}`));
  Object.assign(facts, { datanetId: f.stored.datanetId, contributor: f.stored.contributor, type, status: statusName(f.stored.status) });

  const c = f.contributed;
  if (!c) {
    checks.push(fail("contributed", `no Contributed event in Datanet ${f.stored.datanetId} has an item with this id`));
  } else {
    const cid = cidFromHex(c.cid)?.toString() ?? c.cid;
    Object.assign(facts, { block: Number(c.block), transaction: c.tx, sha256: c.contentHash, cid, size: c.size });
    const problems: string[] = [];
    if (!sameHex(c.contributor, f.stored.contributor))
      problems.push(`the event's contributor is ${c.contributor}, the stored one ${f.stored.contributor}`);
    if (c.fileType !== f.stored.fileType) problems.push(`the event's file type is ${c.fileType}, the stored one ${f.stored.fileType}`);
    const what = `Datanet ${c.datanetId}, contributor ${c.contributor}, SHA-256 ${c.contentHash}, CID ${cid}, ${c.size} bytes, ${fileTypeByCode(c.fileType)?.name ?? c.fileType}; block ${c.block}, tx ${c.tx}`;
    checks.push(problems.length ? fail("contributed", `${problems.join("; ")} (${what})`) : pass("contributed", what));
    const problem = (await contentProblems(ctx, [f])).get(id);
    checks.push(
      problem ? fail("content", problem) : pass("content", `the ${c.size} bytes at ${cid} hash to the recorded SHA-256 ${c.contentHash}`),
    );
  }

  // Status: the stored one agrees with the logs.
  const fin = f.finalized;
  const stored = f.stored.status;
  if (fin) {
    Object.assign(facts, { finalizedAt: Number(fin.block), score: fin.score });
    const what = `${statusName(fin.status)} at block ${fin.block}${fin.status === 2 ? ` with score ${(fin.score / 100).toFixed(2)}` : ""}`;
    checks.push(
      fin.status === stored
        ? pass("status", what)
        : fail("status", `the ledger says ${statusName(stored)}, its ContributionFinalized event ${what}`),
    );
    const problem = quorumProblem(f);
    const accept = fin.status === 2;
    const voters = decidingVoters(f, accept);
    checks.push(
      problem
        ? fail("votes", problem)
        : pass(
            "votes",
            `${voters.length} distinct validator(s) voted ${accept ? "accept" : "reject"} (${voters.join(", ")}); the Datanet's quorum at block ${fin.block} was ${f.quorum}`,
          ),
    );
  } else {
    const accepts = f.votes.filter((v) => v.accept).length;
    const rejects = f.votes.length - accepts;
    checks.push(
      stored === 1
        ? pass("status", "pending (not final)")
        : fail("status", `the ledger says ${statusName(stored)} but no ContributionFinalized event was found`),
    );
    checks.push(
      accepts === f.stored.accepts && rejects === f.stored.rejects
        ? pass("votes", `${accepts} accept and ${rejects} reject vote(s) so far`)
        : fail(
            "votes",
            `VoteCast events count ${accepts} accept / ${rejects} reject, the ledger's tally ${f.stored.accepts} / ${f.stored.rejects}`,
          ),
    );
  }
  return report(subject, facts, checks);
}
