/**
 * Every table the indexer keeps, each derived only from contract events (and, for Datanet metadata,
 * from the content its CID names). Times are block timestamps in seconds; "order" columns are
 * `chainOrder(block, logIndex)` from @provena/common/ranking. Scores are in hundredths of a point.
 * Contributor statistics with `datanetId = 0` are the global ones (Datanet ids count from 1).
 */
import { index, onchainTable, primaryKey, relations } from "ponder";

export const protocol = onchainTable("protocol", (t) => ({
  id: t.text().primaryKey(),
  maxFileBytes: t.integer().notNull(),
  dailyBytes: t.bigint().notNull(),
  dailyFiles: t.integer().notNull(),
  paused: t.boolean().notNull(),
  updatedAt: t.bigint().notNull(),
}));

export const roleMember = onchainTable(
  "role_member",
  (t) => ({
    role: t.hex().notNull(),
    account: t.hex().notNull(),
    active: t.boolean().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.role, table.account] }) }),
);

export const roleAdmin = onchainTable("role_admin", (t) => ({
  role: t.hex().primaryKey(),
  adminRole: t.hex().notNull(),
  updatedAt: t.bigint().notNull(),
}));

export const datanet = onchainTable(
  "datanet",
  (t) => ({
    id: t.bigint().primaryKey(),
    owner: t.hex().notNull(),
    pendingOwner: t.hex(),
    name: t.text().notNull(),
    modality: t.integer().notNull(),
    modalityName: t.text().notNull(),
    metadataCid: t.hex().notNull(),
    /** The CID in its usual string form (base32, "b…"). */
    metadataUri: t.text().notNull(),
    /** "resolved", "unavailable" (content not found) or "invalid" (found, but not the expected JSON). */
    metadataStatus: t.text().notNull(),
    summary: t.text(),
    description: t.text(),
    tags: t.text().array(),
    license: t.text(),
    quorum: t.integer().notNull(),
    validatorCount: t.integer().notNull(),
    isPublic: t.boolean().notNull(),
    /** Per-contributor daily byte cap; 0 follows the protocol's. */
    dailyByteCap: t.bigint().notNull(),
    contributions: t.integer().notNull(),
    pending: t.integer().notNull(),
    accepted: t.integer().notNull(),
    rejected: t.integer().notNull(),
    bytes: t.bigint().notNull(),
    contributors: t.integer().notNull(),
    createdAt: t.bigint().notNull(),
    createdBlock: t.bigint().notNull(),
    createdTx: t.hex().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ ownerIndex: index().on(table.owner), modalityIndex: index().on(table.modality) }),
);

export const validator = onchainTable(
  "validator",
  (t) => ({
    datanetId: t.bigint().notNull(),
    address: t.hex().notNull(),
    active: t.boolean().notNull(),
    addedAt: t.bigint().notNull(),
    removedAt: t.bigint(),
    votes: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.address] }), addressIndex: index().on(table.address) }),
);

export const allowListEntry = onchainTable(
  "allow_list_entry",
  (t) => ({
    datanetId: t.bigint().notNull(),
    account: t.hex().notNull(),
    allowed: t.boolean().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.account] }) }),
);

export const contribution = onchainTable(
  "contribution",
  (t) => ({
    /** keccak256(abi.encode(datanetId, contentHash)), as the ledger computes it. */
    id: t.hex().primaryKey(),
    datanetId: t.bigint().notNull(),
    contributor: t.hex().notNull(),
    /** SHA-256 of the content. */
    contentHash: t.hex().notNull(),
    cid: t.hex().notNull(),
    cidUri: t.text().notNull(),
    size: t.integer().notNull(),
    fileType: t.integer().notNull(),
    fileTypeName: t.text().notNull(),
    /** "pending", "accepted" or "rejected". */
    status: t.text().notNull(),
    /** Mean score of the accepting validators, in hundredths (0..10000), once accepted. */
    score: t.integer(),
    accepts: t.integer().notNull(),
    rejects: t.integer().notNull(),
    submittedAt: t.bigint().notNull(),
    submittedBlock: t.bigint().notNull(),
    submittedTx: t.hex().notNull(),
    submittedOrder: t.bigint().notNull(),
    /** Position of the file in its batch. */
    batchIndex: t.integer().notNull(),
    finalizedAt: t.bigint(),
    finalizedBlock: t.bigint(),
    finalizedTx: t.hex(),
  }),
  (table) => ({
    datanetStatusIndex: index().on(table.datanetId, table.status, table.submittedOrder),
    contributorIndex: index().on(table.contributor, table.submittedOrder),
    statusIndex: index().on(table.status, table.submittedOrder),
    orderIndex: index().on(table.submittedOrder),
  }),
);

export const vote = onchainTable(
  "vote",
  (t) => ({
    /** The event's id (one row per VoteCast or VoteSkipped). */
    id: t.text().primaryKey(),
    contributionId: t.hex().notNull(),
    datanetId: t.bigint().notNull(),
    validator: t.hex().notNull(),
    /** False for a vote that arrived after the contribution was final (VoteSkipped). */
    counted: t.boolean().notNull(),
    accept: t.boolean(),
    /** 0..100 as signed. */
    score: t.integer(),
    reason: t.integer(),
    reasonText: t.text(),
    timestamp: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ contributionIndex: index().on(table.contributionId), validatorIndex: index().on(table.validator) }),
);

export const contributorStats = onchainTable(
  "contributor_stats",
  (t) => ({
    contributor: t.hex().notNull(),
    /** 0 for the global row. */
    datanetId: t.bigint().notNull(),
    submitted: t.integer().notNull(),
    pending: t.integer().notNull(),
    accepted: t.integer().notNull(),
    rejected: t.integer().notNull(),
    bytes: t.bigint().notNull(),
    scoreSum: t.bigint().notNull(),
    rateKey: t.bigint().notNull(),
    acceptanceRate: t.doublePrecision(),
    reachedAt: t.bigint().notNull(),
    firstActivityAt: t.bigint().notNull(),
    lastActivityAt: t.bigint().notNull(),
    activeDays: t.integer().notNull(),
    lastActiveDay: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.contributor, table.datanetId] }),
    rankIndex: index().on(table.datanetId, table.scoreSum, table.rateKey, table.reachedAt, table.contributor),
  }),
);

/** One row per contributor, scope (Datanet or 0 for global) and UTC day: the recent windows sum these. */
export const contributorDay = onchainTable(
  "contributor_day",
  (t) => ({
    contributor: t.hex().notNull(),
    datanetId: t.bigint().notNull(),
    /** UTC day number (days since 1970-01-01). */
    day: t.integer().notNull(),
    submitted: t.integer().notNull(),
    accepted: t.integer().notNull(),
    rejected: t.integer().notNull(),
    bytes: t.bigint().notNull(),
    scoreSum: t.bigint().notNull(),
    /** Order of the day's last score-raising acceptance, 0 if none. */
    lastScoreOrder: t.bigint().notNull(),
    /** Order of the day's first event for this contributor. */
    firstOrder: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.contributor, table.datanetId, table.day] }),
    windowIndex: index().on(table.datanetId, table.day),
  }),
);

export const datanetRelations = relations(datanet, ({ many }) => ({
  validators: many(validator),
  contributions: many(contribution),
}));

export const validatorRelations = relations(validator, ({ one }) => ({
  datanet: one(datanet, { fields: [validator.datanetId], references: [datanet.id] }),
}));

export const contributionRelations = relations(contribution, ({ one, many }) => ({
  datanet: one(datanet, { fields: [contribution.datanetId], references: [datanet.id] }),
  votes: many(vote),
}));

export const voteRelations = relations(vote, ({ one }) => ({
  contribution: one(contribution, { fields: [vote.contributionId], references: [contribution.id] }),
}));
