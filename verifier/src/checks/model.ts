/** The checks of a registered model itself: its record, attestor, flags, artifacts and parent. */
import { modelTypedData, modelTypes, type ModelRecord } from "@provena/common";
import { hashStruct, zeroHash, type Address, type Hex } from "viem";
import type { Verifier } from "../createVerifier.js";
import { fetchVerified } from "../fetch/fetchVerified.js";
import { modelFlags } from "../facts/flags.js";
import { storedModel, type Registration, type StoredModel } from "../facts/model.js";
import { attestorRole } from "../facts/roles.js";
import { sameHex } from "../hex.js";
import { fail, guarded, pass } from "../report/build.js";
import type { Check } from "../report/types.js";

/** The record in the `ModelRegistered` event is the one stored: its EIP-712 struct hash and its fields. Pure. */
export function recordCheck(model: StoredModel, { record, attestor }: Registration): Check {
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
  return mismatches.length
    ? fail("record", mismatches.join("; "))
    : pass("record", `the ModelRegistered record hashes to the stored recordHash ${model.recordHash}`);
}

export type VerifyAttestorSignatureParameters = { record: ModelRecord; attestor: Address; signature: Hex; blockNumber?: bigint };

/**
 * Whether `signature` is `attestor`'s EIP-712 signature over `record` in this deployment's ModelRegistry
 * domain: an EOA's by recovery, a contract wallet's by its EIP-1271 `isValidSignature` (at `blockNumber`).
 */
export async function verifyAttestorSignature(ctx: Verifier, input: VerifyAttestorSignatureParameters): Promise<Check> {
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

/** The attestor held `ATTESTOR_ROLE` at the registration block (a later revocation is noted, not failed). */
export const attestorRoleCheck = (ctx: Verifier, attestor: Address, at: bigint, head: bigint): Promise<Check> =>
  guarded("attestor role", async () => {
    const { then, now } = await attestorRole(ctx, attestor, at, head);
    return then
      ? pass("attestor role", `${attestor} held ATTESTOR_ROLE at block ${at}${now ? "" : " (since revoked)"}`)
      : fail("attestor role", `${attestor} did not hold ATTESTOR_ROLE at the registration block ${at}`);
  });

/** The model is not flagged now; else the reason from its latest `ModelFlagged` event. */
export const notFlaggedCheck = (ctx: Verifier, id: bigint, model: StoredModel, at: bigint, head: bigint): Promise<Check> =>
  guarded("not flagged", async () => {
    const { lastFlag, lastClear } = await modelFlags(ctx, id, at, head);
    if (model.flagged) {
      return lastFlag
        ? fail("not flagged", `flagged at block ${lastFlag.block} by ${lastFlag.by}: "${lastFlag.reason}"`)
        : fail("not flagged", "flagged (no ModelFlagged event found for the reason)");
    }
    return pass(
      "not flagged",
      lastFlag && lastClear
        ? `not flagged (flagged at block ${lastFlag.block}: "${lastFlag.reason}"; cleared at block ${lastClear.block})`
        : "never flagged",
    );
  });

export type Artifact = "adapter" | "config" | "metrics";

/** The artifact fetched by its CID hashes to the record's SHA-256 (no metrics document when its hash is zero). */
export const artifactCheck = (ctx: Verifier, check: Artifact, cid: Hex, hash: Hex): Promise<Check> =>
  guarded(check, async () => {
    if (check === "metrics" && hash === zeroHash) return pass(check, "no metrics document (metricsHash is zero)");
    const fetched = await fetchVerified(ctx, cid);
    if (!fetched.ok) return fail(check, fetched.problem);
    return sameHex(fetched.sha256, hash)
      ? pass(check, `${fetched.bytes.length} bytes at ${fetched.cid}, SHA-256 ${hash} as recorded`)
      : fail(
          check,
          `the ${fetched.bytes.length} bytes at ${check}Cid ${fetched.cid} have SHA-256 ${fetched.sha256}; the record's ${check}Hash is ${hash}`,
        );
  });

/** A non-zero `parentId` is a registered model (of the `count` the registry holds). */
export const parentCheck = (ctx: Verifier, parentId: bigint, count: bigint, head: bigint): Promise<Check> =>
  guarded("parent", async () => {
    if (parentId === 0n) return pass("parent", "no parent model (parentId 0)");
    if (parentId > count) return fail("parent", `parent model ${parentId} is not registered (ModelRegistry holds ${count})`);
    const parent = await storedModel(ctx, parentId, head);
    return pass("parent", `parent model ${parentId} registered at block ${parent.registeredAt}${parent.flagged ? " (it is flagged)" : ""}`);
  });
