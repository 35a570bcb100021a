import { datasetRootCheck, leafChecks, manifestCheck } from "./checks/dataset.js";
import { artifactCheck, attestorRoleCheck, notFlaggedCheck, parentCheck, recordCheck, verifyAttestorSignature } from "./checks/model.js";
import type { Verifier } from "./createVerifier.js";
import { modelsOf } from "./facts/contracts.js";
import { modelFacts } from "./facts/model.js";
import { parseModelId } from "./ids.js";
import { fail, pass, report } from "./report/build.js";
import type { Check, Report } from "./report/types.js";

export type VerifyModelReturnType = Report;

/**
 * Verifies model `id`'s provenance, each as a named check in the report: registered, record, attestor signature,
 * attestor role, not flagged, adapter, config, metrics, dataset manifest, dataset root, the four dataset-leaf
 * checks, parent. Throws `VerifyError` for a malformed id.
 */
export async function verifyModel(ctx: Verifier, idInput: bigint | number | string): Promise<VerifyModelReturnType> {
  const id = parseModelId(idInput);
  const registry = modelsOf(ctx).address;
  const subject = `model ${id}`;
  const facts: Report["facts"] = { model: id.toString(), registry, chainId: ctx.deployment.chainId };
  const head = await ctx.client.getBlockNumber({ cacheTime: 0 });

  const found = await modelFacts(ctx, id, head);
  if (!found.registered) {
    const { count } = found;
    return report(subject, facts, [
      fail("registered", `model ${id} is not registered: ModelRegistry ${registry} holds ${count} model(s) (ids 1..${count})`),
    ]);
  }
  const { count, model, at, registration } = found;
  if (!registration) {
    return report(subject, facts, [
      fail("registered", `model ${id} is stored (registered at block ${at}) but no ModelRegistered event for it is in that block`),
    ]);
  }
  const { record, attestor } = registration;
  Object.assign(facts, {
    registeredAt: Number(at),
    transaction: registration.transactionHash,
    attestor,
    creator: record.creator,
    datasetBlock: Number(record.datasetBlock),
    datasetSize: record.datasetSize,
    parentId: record.parentId.toString(),
  });
  const checks: Check[] = [
    pass(
      "registered",
      `model ${id} registered at block ${at} (tx ${registration.transactionHash}) by attestor ${attestor} for creator ${record.creator}`,
    ),
    recordCheck(model, registration),
    await verifyAttestorSignature(ctx, { record, attestor, signature: registration.signature, blockNumber: at }),
    await attestorRoleCheck(ctx, attestor, at, head),
    await notFlaggedCheck(ctx, id, model, at, head),
    await artifactCheck(ctx, "adapter", record.adapterCid, record.adapterHash),
    await artifactCheck(ctx, "config", record.configCid, record.configHash),
    await artifactCheck(ctx, "metrics", record.metricsCid, record.metricsHash),
  ];

  // The dataset manifest, then every leaf against the chain.
  const { check, manifest } = await manifestCheck(ctx, record.datasetCid, record.datasetBlock);
  checks.push(check);
  if (manifest) {
    checks.push(datasetRootCheck(manifest, record));
    checks.push(...(await leafChecks(ctx, manifest, record.datasetBlock, head)));
  } else {
    checks.push(fail("dataset leaves", "not checked: no usable dataset manifest"));
  }
  checks.push(await parentCheck(ctx, record.parentId, count, head));
  return report(subject, facts, checks);
}
