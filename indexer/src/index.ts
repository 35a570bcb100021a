/**
 * Indexing functions: one per contract event. Every state change of the contracts lands in a table.
 */
import { ponder, type Context } from "ponder:registry";
import {
  allowListEntry,
  contribution,
  datanet,
  datanetStats,
  finalization,
  protocol,
  roleAdmin,
  roleMember,
  validator,
  vote,
} from "ponder:schema";
import { hexToBytes, type Hex } from "viem";
import { cidToString, modalityName, chainOrder, contributionId, Status } from "@provena/common";
import { recordFinal, recordSubmissions, type When } from "./stats";

const PROTOCOL = "protocol";

type LogEvent = { block: { number: bigint; timestamp: bigint }; log: { logIndex: number }; transaction: { hash: Hex } };

const when = (event: Omit<LogEvent, "transaction">): When => ({
  timestamp: event.block.timestamp,
  order: chainOrder(event.block.number, event.log.logIndex),
});

const uri = (cid: Hex) => cidToString(hexToBytes(cid));

/** Applies `change` to a Datanet's row in one store operation (Ponder throws if the row is missing). */
async function updateDatanet(
  db: Context["db"],
  id: bigint,
  timestamp: bigint,
  change: (row: typeof datanet.$inferSelect) => Partial<typeof datanet.$inferInsert>,
) {
  await db.update(datanet, { id }).set((row) => ({ ...change(row), updatedAt: timestamp }));
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
    // Only the CID: the content is fetched outside indexing (metadata.ts), so no gateway can stall it.
    metadataUri: uri(metadataCid),
    quorum,
    validatorCount: 0,
    isPublic,
    receiptRequired: false,
    dailyByteCap,
    createdAt: event.block.timestamp,
    createdBlock: event.block.number,
    createdTx: event.transaction.hash,
    updatedAt: event.block.timestamp,
  });
  await context.db
    .insert(datanetStats)
    .values({ datanetId, contributions: 0, pending: 0, accepted: 0, rejected: 0, bytes: 0n, contributors: 0, lastActivityAt: null });
});

ponder.on("DatanetRegistry:DatanetMetadataUpdated", async ({ event, context }) => {
  const { datanetId, metadataCid } = event.args;
  await updateDatanet(context.db, datanetId, event.block.timestamp, () => ({ metadataCid, metadataUri: uri(metadataCid) }));
});

ponder.on("DatanetRegistry:ValidatorAdded", async ({ event, context }) => {
  const { datanetId, validator: address } = event.args;
  const timestamp = event.block.timestamp;
  await context.db
    .insert(validator)
    .values({ datanetId, address, active: true, addedAt: timestamp, removedAt: null })
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

ponder.on("DatanetRegistry:ReceiptRequirementUpdated", async ({ event, context }) => {
  await updateDatanet(context.db, event.args.datanetId, event.block.timestamp, () => ({ receiptRequired: event.args.required }));
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
  await context.db.insert(contribution).values(
    items.map((item, batchIndex) => ({
      id: contributionId(datanetId, item.contentHash),
      datanetId,
      contributor,
      contentHash: item.contentHash,
      cid: item.cid,
      size: item.size,
      fileType: item.fileType,
      submittedAt: at.timestamp,
      submittedBlock: event.block.number,
      submittedTx: event.transaction.hash,
      submittedOrder: at.order,
      batchIndex,
    })),
  );
  const files = items.length;
  const bytes = items.reduce((sum, item) => sum + BigInt(item.size), 0n);
  const firstHere = await recordSubmissions(context.db, contributor, datanetId, files, bytes, at);
  await context.db.update(datanetStats, { datanetId }).set((row) => ({
    contributions: row.contributions + files,
    pending: row.pending + files,
    bytes: row.bytes + bytes,
    contributors: row.contributors + (firstHere ? 1 : 0),
    lastActivityAt: at.timestamp,
  }));
});

/** Votes are keyed by their log's chain order (block number and log index): unique, and sorts by time. */
const voteRow = (event: LogEvent) => ({
  id: when(event).order,
  timestamp: event.block.timestamp,
  blockNumber: event.block.number,
  txHash: event.transaction.hash,
});

// Vote counts per contribution and per validator are counted from these rows when read, so a vote
// costs one lookup and one insert while indexing.
async function insertVote(
  context: Context,
  event: LogEvent,
  id: Hex,
  validatorAddress: Hex,
  verdict: { counted: boolean; accept: boolean | null; score: number | null; reason: number | null },
) {
  const row = await context.db.find(contribution, { id });
  if (!row) throw new Error(`vote on contribution ${id}, which was never submitted`);
  await context.db
    .insert(vote)
    .values({ ...voteRow(event), contributionId: id, datanetId: row.datanetId, validator: validatorAddress, ...verdict });
}

ponder.on("ContributionLedger:VoteCast", async ({ event, context }) => {
  const { id, validator: address, accept, score, reason } = event.args;
  await insertVote(context, event, id, address, { counted: true, accept, score, reason });
});

ponder.on("ContributionLedger:VoteSkipped", async ({ event, context }) => {
  const { id, validator: address } = event.args;
  await insertVote(context, event, id, address, { counted: false, accept: null, score: null, reason: null });
});

ponder.on("ContributionLedger:ContributionFinalized", async ({ event, context }) => {
  const { id, status, score } = event.args;
  const row = await context.db.find(contribution, { id });
  if (!row) throw new Error(`finalization of contribution ${id}, which was never submitted`);
  const accepted = status === Status.Accepted;
  const at = when(event);
  await context.db.insert(finalization).values({
    contributionId: id,
    datanetId: row.datanetId,
    contributor: row.contributor,
    accepted,
    score: accepted ? score : null,
    timestamp: at.timestamp,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
  });
  await recordFinal(context.db, row.contributor, row.datanetId, accepted, score, at);
  await context.db.update(datanetStats, { datanetId: row.datanetId }).set((d) => ({
    pending: d.pending - 1,
    accepted: d.accepted + (accepted ? 1 : 0),
    rejected: d.rejected + (accepted ? 0 : 1),
    lastActivityAt: at.timestamp,
  }));
});
