/**
 * Indexing functions: one per contract event. Every state change of the contracts lands in a table.
 */
import { ponder, type Context } from "ponder:registry";
import {
  allowListEntry,
  contribution,
  datanet,
  protocol,
  roleAdmin,
  roleMember,
  validator,
  vote,
} from "ponder:schema";
import { hexToBytes, type Hex } from "viem";
import { cidToString } from "@provena/common/cid";
import { fileTypeByCode, modalityName } from "@provena/common/fileTypes";
import { chainOrder } from "@provena/common/ranking";
import { REASONS, STATUS, contributionId } from "@provena/common/verdicts";
import { resolveMetadata } from "./metadata";
import { GLOBAL, recordFinal, recordSubmissions, type When } from "./stats";

const PROTOCOL = "protocol";

const when = (event: { block: { number: bigint; timestamp: bigint }; log: { logIndex: number } }): When => ({
  timestamp: event.block.timestamp,
  order: chainOrder(event.block.number, event.log.logIndex),
});

const uri = (cid: Hex) => cidToString(hexToBytes(cid));

async function updateDatanet(db: Context["db"], id: bigint, timestamp: bigint, change: (row: typeof datanet.$inferSelect) => Partial<typeof datanet.$inferInsert>) {
  const row = await db.find(datanet, { id });
  if (!row) throw new Error(`event for Datanet ${id}, which was never created`);
  await db.update(datanet, { id }).set({ ...change(row), updatedAt: timestamp });
}

// ------------------------------------------------------------------ DatanetRegistry

ponder.on("DatanetRegistry:LimitsUpdated", async ({ event, context }) => {
  const { maxFileBytes, dailyBytes, dailyFiles } = event.args;
  const values = { maxFileBytes, dailyBytes, dailyFiles: dailyFiles, updatedAt: event.block.timestamp };
  await context.db
    .insert(protocol)
    .values({ id: PROTOCOL, paused: false, ...values })
    .onConflictDoUpdate(values);
});

ponder.on("DatanetRegistry:Paused", async ({ event, context }) => {
  await context.db.update(protocol, { id: PROTOCOL }).set({ paused: true, updatedAt: event.block.timestamp });
});

ponder.on("DatanetRegistry:Unpaused", async ({ event, context }) => {
  await context.db.update(protocol, { id: PROTOCOL }).set({ paused: false, updatedAt: event.block.timestamp });
});

async function setRoleMember(db: Context["db"], role: Hex, account: Hex, active: boolean, updatedAt: bigint) {
  await db.insert(roleMember).values({ role, account, active, updatedAt }).onConflictDoUpdate({ active, updatedAt });
}

ponder.on("DatanetRegistry:RoleGranted", async ({ event, context }) => {
  await setRoleMember(context.db, event.args.role, event.args.account, true, event.block.timestamp);
});

ponder.on("DatanetRegistry:RoleRevoked", async ({ event, context }) => {
  await setRoleMember(context.db, event.args.role, event.args.account, false, event.block.timestamp);
});

ponder.on("DatanetRegistry:RoleAdminChanged", async ({ event, context }) => {
  const { role, newAdminRole } = event.args;
  await context.db
    .insert(roleAdmin)
    .values({ role, adminRole: newAdminRole, updatedAt: event.block.timestamp })
    .onConflictDoUpdate({ adminRole: newAdminRole, updatedAt: event.block.timestamp });
});

ponder.on("DatanetRegistry:DatanetCreated", async ({ event, context }) => {
  const { datanetId, owner, modality, name, metadataCid, quorum, dailyByteCap, isPublic } = event.args;
  await context.db.insert(datanet).values({
    id: datanetId,
    owner,
    pendingOwner: null,
    name,
    modality,
    modalityName: modalityName(modality),
    metadataCid,
    metadataUri: uri(metadataCid),
    ...(await resolveMetadata(metadataCid)),
    quorum,
    validatorCount: 0,
    isPublic,
    dailyByteCap,
    contributions: 0,
    pending: 0,
    accepted: 0,
    rejected: 0,
    bytes: 0n,
    contributors: 0,
    createdAt: event.block.timestamp,
    createdBlock: event.block.number,
    createdTx: event.transaction.hash,
    updatedAt: event.block.timestamp,
  });
});

ponder.on("DatanetRegistry:DatanetMetadataUpdated", async ({ event, context }) => {
  const { datanetId, metadataCid } = event.args;
  const metadata = await resolveMetadata(metadataCid);
  await updateDatanet(context.db, datanetId, event.block.timestamp, () => ({ metadataCid, metadataUri: uri(metadataCid), ...metadata }));
});

ponder.on("DatanetRegistry:ValidatorAdded", async ({ event, context }) => {
  const { datanetId, validator: address } = event.args;
  const timestamp = event.block.timestamp;
  await context.db
    .insert(validator)
    .values({ datanetId, address, active: true, addedAt: timestamp, removedAt: null, votes: 0 })
    .onConflictDoUpdate({ active: true, addedAt: timestamp, removedAt: null });
  await updateDatanet(context.db, datanetId, timestamp, (row) => ({ validatorCount: row.validatorCount + 1 }));
});

ponder.on("DatanetRegistry:ValidatorRemoved", async ({ event, context }) => {
  const { datanetId, validator: address } = event.args;
  const timestamp = event.block.timestamp;
  await context.db.update(validator, { datanetId, address }).set({ active: false, removedAt: timestamp });
  await updateDatanet(context.db, datanetId, timestamp, (row) => ({ validatorCount: row.validatorCount - 1 }));
});

ponder.on("DatanetRegistry:QuorumUpdated", async ({ event, context }) => {
  await updateDatanet(context.db, event.args.datanetId, event.block.timestamp, () => ({ quorum: event.args.quorum }));
});

ponder.on("DatanetRegistry:DailyByteCapUpdated", async ({ event, context }) => {
  await updateDatanet(context.db, event.args.datanetId, event.block.timestamp, () => ({ dailyByteCap: event.args.dailyByteCap }));
});

ponder.on("DatanetRegistry:VisibilityUpdated", async ({ event, context }) => {
  await updateDatanet(context.db, event.args.datanetId, event.block.timestamp, () => ({ isPublic: event.args.isPublic }));
});

ponder.on("DatanetRegistry:AllowListUpdated", async ({ event, context }) => {
  const { datanetId, account, allowed } = event.args;
  await context.db
    .insert(allowListEntry)
    .values({ datanetId, account, allowed, updatedAt: event.block.timestamp })
    .onConflictDoUpdate({ allowed, updatedAt: event.block.timestamp });
});

ponder.on("DatanetRegistry:OwnershipTransferStarted", async ({ event, context }) => {
  await updateDatanet(context.db, event.args.datanetId, event.block.timestamp, () => ({ pendingOwner: event.args.pendingOwner }));
});

ponder.on("DatanetRegistry:OwnershipTransferred", async ({ event, context }) => {
  await updateDatanet(context.db, event.args.datanetId, event.block.timestamp, () => ({ owner: event.args.newOwner, pendingOwner: null }));
});

// ------------------------------------------------------------------ ContributionLedger

ponder.on("ContributionLedger:Contributed", async ({ event, context }) => {
  const { datanetId, contributor, items } = event.args;
  const at = when(event);
  let bytes = 0n;
  for (const [batchIndex, item] of items.entries()) {
    bytes += BigInt(item.size);
    await context.db.insert(contribution).values({
      id: contributionId(datanetId, item.contentHash),
      datanetId,
      contributor,
      contentHash: item.contentHash,
      cid: item.cid,
      cidUri: uri(item.cid),
      size: item.size,
      fileType: item.fileType,
      fileTypeName: fileTypeByCode(item.fileType)?.name ?? `unknown-${item.fileType}`,
      status: "pending",
      score: null,
      accepts: 0,
      rejects: 0,
      submittedAt: at.timestamp,
      submittedBlock: event.block.number,
      submittedTx: event.transaction.hash,
      submittedOrder: at.order,
      batchIndex,
      finalizedAt: null,
      finalizedBlock: null,
      finalizedTx: null,
    });
  }
  const files = items.length;
  const firstHere = await recordSubmissions(context.db, contributor, datanetId, files, bytes, at);
  await recordSubmissions(context.db, contributor, GLOBAL, files, bytes, at);
  await updateDatanet(context.db, datanetId, at.timestamp, (row) => ({
    contributions: row.contributions + files,
    pending: row.pending + files,
    bytes: row.bytes + bytes,
    contributors: row.contributors + (firstHere ? 1 : 0),
  }));
});

ponder.on("ContributionLedger:VoteCast", async ({ event, context }) => {
  const { id, validator: address, accept, score, reason } = event.args;
  const row = await context.db.find(contribution, { id });
  if (!row) throw new Error(`vote on contribution ${id}, which was never submitted`);
  await context.db.insert(vote).values({
    id: event.id,
    contributionId: id,
    datanetId: row.datanetId,
    validator: address,
    counted: true,
    accept,
    score,
    reason,
    reasonText: REASONS[reason as keyof typeof REASONS] ?? `reason ${reason}`,
    timestamp: event.block.timestamp,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
  });
  await context.db.update(contribution, { id }).set({ accepts: row.accepts + (accept ? 1 : 0), rejects: row.rejects + (accept ? 0 : 1) });
  await context.db.update(validator, { datanetId: row.datanetId, address }).set((v) => ({ votes: v.votes + 1 }));
});

ponder.on("ContributionLedger:VoteSkipped", async ({ event, context }) => {
  const { id, validator: address } = event.args;
  const row = await context.db.find(contribution, { id });
  if (!row) throw new Error(`vote on contribution ${id}, which was never submitted`);
  await context.db.insert(vote).values({
    id: event.id,
    contributionId: id,
    datanetId: row.datanetId,
    validator: address,
    counted: false,
    accept: null,
    score: null,
    reason: null,
    reasonText: null,
    timestamp: event.block.timestamp,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
  });
});

ponder.on("ContributionLedger:ContributionFinalized", async ({ event, context }) => {
  const { id, status, score } = event.args;
  const row = await context.db.find(contribution, { id });
  if (!row) throw new Error(`finalization of contribution ${id}, which was never submitted`);
  const accepted = STATUS[status] === "accepted";
  const at = when(event);
  await context.db.update(contribution, { id }).set({
    status: accepted ? "accepted" : "rejected",
    score: accepted ? score : null,
    finalizedAt: at.timestamp,
    finalizedBlock: event.block.number,
    finalizedTx: event.transaction.hash,
  });
  const points = accepted ? score : 0;
  await recordFinal(context.db, row.contributor, row.datanetId, accepted, points, at);
  await recordFinal(context.db, row.contributor, GLOBAL, accepted, points, at);
  await updateDatanet(context.db, row.datanetId, at.timestamp, (d) => ({
    pending: d.pending - 1,
    accepted: d.accepted + (accepted ? 1 : 0),
    rejected: d.rejected + (accepted ? 0 : 1),
  }));
});
