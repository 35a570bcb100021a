/**
 * Indexing functions for ModelRegistry: one per event. A model's record is written once, when registered;
 * flags and role changes update the rows that describe them.
 */
import { ponder, type Context } from "ponder:registry";
import { attestor, model, modelFlag, modelRoleAdmin, modelRoleMember } from "ponder:schema";
import { keccak256, toHex, type Hex } from "viem";
import { chainOrder } from "@provena/common";

/** The role an account needs to sign model records (ModelRegistry.ATTESTOR_ROLE). */
export const ATTESTOR_ROLE = keccak256(toHex("ATTESTOR_ROLE"));

type LogEvent = { block: { number: bigint; timestamp: bigint }; log: { logIndex: number }; transaction: { hash: Hex } };

const logRow = (event: LogEvent) => ({
  id: chainOrder(event.block.number, event.log.logIndex),
  timestamp: event.block.timestamp,
  blockNumber: event.block.number,
  txHash: event.transaction.hash,
});

ponder.on("ModelRegistry:ModelRegistered", async ({ event, context }) => {
  const { modelId, attestor: signer, creator, record, signature } = event.args;
  await context.db.insert(model).values({
    id: modelId,
    attestor: signer,
    creator,
    baseModelId: record.baseModelId,
    baseWeightsHash: record.baseWeightsHash,
    adapterHash: record.adapterHash,
    adapterCid: record.adapterCid,
    datasetRoot: record.datasetRoot,
    datasetCid: record.datasetCid,
    datasetBlock: record.datasetBlock,
    datasetSize: record.datasetSize,
    configHash: record.configHash,
    configCid: record.configCid,
    metricsHash: record.metricsHash,
    metricsCid: record.metricsCid,
    parentId: record.parentId === 0n ? null : record.parentId,
    deadline: record.deadline,
    signature,
    flagged: false,
    flagReason: null,
    flagUpdatedAt: null,
    registeredAt: event.block.timestamp,
    registeredBlock: event.block.number,
    registeredTx: event.transaction.hash,
  });
});

ponder.on("ModelRegistry:ModelFlagged", async ({ event, context }) => {
  const { modelId, by, reason } = event.args;
  await context.db.update(model, { id: modelId }).set({ flagged: true, flagReason: reason, flagUpdatedAt: event.block.timestamp });
  await context.db.insert(modelFlag).values({ ...logRow(event), modelId, flagged: true, reason, by });
});

ponder.on("ModelRegistry:ModelFlagCleared", async ({ event, context }) => {
  const { modelId, by } = event.args;
  await context.db.update(model, { id: modelId }).set({ flagged: false, flagReason: null, flagUpdatedAt: event.block.timestamp });
  await context.db.insert(modelFlag).values({ ...logRow(event), modelId, flagged: false, reason: null, by });
});

async function setRoleMember(db: Context["db"], role: Hex, account: Hex, active: boolean, updatedAt: bigint) {
  await db.insert(modelRoleMember).values({ role, account, active, updatedAt }).onConflictDoUpdate({ active, updatedAt });
  if (role !== ATTESTOR_ROLE) return;
  // AccessControl emits RoleRevoked only for a holder, so a revoked attestor always has its row.
  if (active) {
    await db
      .insert(attestor)
      .values({ address: account, active, grantedAt: updatedAt, revokedAt: null })
      .onConflictDoUpdate({ active, grantedAt: updatedAt, revokedAt: null });
  } else {
    await db.update(attestor, { address: account }).set({ active, revokedAt: updatedAt });
  }
}

ponder.on("ModelRegistry:RoleGranted", async ({ event, context }) => {
  await setRoleMember(context.db, event.args.role, event.args.account, true, event.block.timestamp);
});

ponder.on("ModelRegistry:RoleRevoked", async ({ event, context }) => {
  await setRoleMember(context.db, event.args.role, event.args.account, false, event.block.timestamp);
});

ponder.on("ModelRegistry:RoleAdminChanged", async ({ event, context }) => {
  const { role, newAdminRole } = event.args;
  await context.db
    .insert(modelRoleAdmin)
    .values({ role, adminRole: newAdminRole, updatedAt: event.block.timestamp })
    .onConflictDoUpdate({ adminRole: newAdminRole, updatedAt: event.block.timestamp });
});
