/**
 * Every table the indexer keeps, each derived only from contract events. Datanet metadata (the content
 * its CID names) is not here: the REST API adds it from a background fetcher (src/metadata.ts). Times are block timestamps in seconds; "order" columns are
 * `chainOrder(block, logIndex)` from @provena/common (ranking.ts). Scores are in hundredths of a point.
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
    quorum: t.integer().notNull(),
    validatorCount: t.integer().notNull(),
    isPublic: t.boolean().notNull(),
    /** Contributions need a gateway's upload receipt (`contributeWithReceipt`). */
    receiptRequired: t.boolean().notNull(),
    /** Per-contributor daily byte cap; 0 follows the protocol's. */
    dailyByteCap: t.bigint().notNull(),
    createdAt: t.bigint().notNull(),
    createdBlock: t.bigint().notNull(),
    createdTx: t.hex().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ ownerIndex: index().on(table.owner), modalityIndex: index().on(table.modality) }),
);

/**
 * A Datanet's running totals, apart from its settings: every contribution and verdict updates this
 * narrow row, not the wide one with the metadata.
 */
export const datanetStats = onchainTable("datanet_stats", (t) => ({
  datanetId: t.bigint().primaryKey(),
  contributions: t.integer().notNull(),
  pending: t.integer().notNull(),
  accepted: t.integer().notNull(),
  rejected: t.integer().notNull(),
  bytes: t.bigint().notNull(),
  contributors: t.integer().notNull(),
  /** Time of the latest contribution or verdict; null before the first. */
  lastActivityAt: t.bigint(),
}));

export const validator = onchainTable(
  "validator",
  (t) => ({
    datanetId: t.bigint().notNull(),
    address: t.hex().notNull(),
    active: t.boolean().notNull(),
    addedAt: t.bigint().notNull(),
    removedAt: t.bigint(),
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

/** A submitted file. Immutable once indexed: its verdict lands in `finalization`, pending until then. */
export const contribution = onchainTable(
  "contribution",
  (t) => ({
    /** keccak256(abi.encode(datanetId, contentHash)), as the ledger computes it. */
    id: t.hex().primaryKey(),
    datanetId: t.bigint().notNull(),
    contributor: t.hex().notNull(),
    /** SHA-256 of the content. */
    contentHash: t.hex().notNull(),
    /** CIDv1 bytes (raw codec, SHA-256); the REST API adds its base32 text. */
    cid: t.hex().notNull(),
    size: t.integer().notNull(),
    /** File type code (common/fileTypes); the REST API adds its name. */
    fileType: t.integer().notNull(),
    submittedAt: t.bigint().notNull(),
    submittedBlock: t.bigint().notNull(),
    submittedTx: t.hex().notNull(),
    submittedOrder: t.bigint().notNull(),
    /** Position of the file in its batch. */
    batchIndex: t.integer().notNull(),
  }),
  (table) => ({
    datanetIndex: index().on(table.datanetId, table.submittedOrder),
    contributorIndex: index().on(table.contributor, table.submittedOrder),
    orderIndex: index().on(table.submittedOrder),
  }),
);

/**
 * A contribution's final verdict (ContributionFinalized). Kept apart from `contribution` so that
 * indexing only ever inserts contribution rows, the cheapest write for a large backfill.
 */
export const finalization = onchainTable("finalization", (t) => ({
  contributionId: t.hex().primaryKey(),
  datanetId: t.bigint().notNull(),
  contributor: t.hex().notNull(),
  accepted: t.boolean().notNull(),
  /** Mean score of the accepting validators, in hundredths (0..10000); null when rejected. */
  score: t.integer(),
  timestamp: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
  txHash: t.hex().notNull(),
}));

export const vote = onchainTable(
  "vote",
  (t) => ({
    /** The log's chain order, block number << 32 | log index (one row per VoteCast or VoteSkipped). */
    id: t.bigint().primaryKey(),
    contributionId: t.hex().notNull(),
    datanetId: t.bigint().notNull(),
    validator: t.hex().notNull(),
    /** False for a vote that arrived after the contribution was final (VoteSkipped). */
    counted: t.boolean().notNull(),
    accept: t.boolean(),
    /** 0..100 as signed. */
    score: t.integer(),
    /** Reason code (common/verdicts REASONS); the REST API adds its text. */
    reason: t.integer(),
    timestamp: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({
    contributionIndex: index().on(table.contributionId),
    datanetValidatorIndex: index().on(table.datanetId, table.validator),
  }),
);

/**
 * A contributor's standing, per Datanet and globally (datanetId 0): what the ranking rule reads.
 * Verdicts update only this narrow row; submissions also touch `contributor_activity`.
 * Acceptance rate = accepted / (accepted + rejected); `rateKey` is that rate × 10^18, exact.
 */
export const contributorStats = onchainTable(
  "contributor_stats",
  (t) => ({
    contributor: t.hex().notNull(),
    /** 0 for the global row. */
    datanetId: t.bigint().notNull(),
    pending: t.integer().notNull(),
    accepted: t.integer().notNull(),
    rejected: t.integer().notNull(),
    /** Sum of accepted scores, in hundredths. */
    scoreSum: t.bigint().notNull(),
    rateKey: t.bigint().notNull(),
    /** Chain order (block << 32 | log index) of the acceptance that brought the score, or of the first submission. */
    reachedAt: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.contributor, table.datanetId] }),
    rankIndex: index().on(table.datanetId, table.scoreSum, table.rateKey, table.reachedAt, table.contributor),
  }),
);

/** A contributor's submissions, per Datanet and globally (datanetId 0). */
export const contributorActivity = onchainTable(
  "contributor_activity",
  (t) => ({
    contributor: t.hex().notNull(),
    /** 0 for the global row. */
    datanetId: t.bigint().notNull(),
    submitted: t.integer().notNull(),
    bytes: t.bigint().notNull(),
    firstActivityAt: t.bigint().notNull(),
    lastActivityAt: t.bigint().notNull(),
    activeDays: t.integer().notNull(),
    /** UTC day of the latest submission, to count active days. */
    lastActiveDay: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.contributor, table.datanetId] }) }),
);

/**
 * One row per contributor, Datanet and UTC day: a Datanet's recent windows sum its rows, the global
 * windows sum every Datanet's (so no global day rows are written while indexing).
 */
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
    dayIndex: index().on(table.day),
  }),
);

export const datanetRelations = relations(datanet, ({ one, many }) => ({
  stats: one(datanetStats, { fields: [datanet.id], references: [datanetStats.datanetId] }),
  validators: many(validator),
  contributions: many(contribution),
}));

export const validatorRelations = relations(validator, ({ one }) => ({
  datanet: one(datanet, { fields: [validator.datanetId], references: [datanet.id] }),
}));

export const contributionRelations = relations(contribution, ({ one, many }) => ({
  datanet: one(datanet, { fields: [contribution.datanetId], references: [datanet.id] }),
  finalization: one(finalization, { fields: [contribution.id], references: [finalization.contributionId] }),
  votes: many(vote),
}));

export const finalizationRelations = relations(finalization, ({ one }) => ({
  contribution: one(contribution, { fields: [finalization.contributionId], references: [contribution.id] }),
}));

export const voteRelations = relations(vote, ({ one }) => ({
  contribution: one(contribution, { fields: [vote.contributionId], references: [contribution.id] }),
}));

// ------------------------------------------------------------------ ModelRegistry

/**
 * A registered model: its whole provenance record as `ModelRegistered` carries it (records never change),
 * plus its current flag. CIDs are the bytes the record names; the REST API adds their base32 text.
 */
export const model = onchainTable(
  "model",
  (t) => ({
    id: t.bigint().primaryKey(),
    attestor: t.hex().notNull(),
    creator: t.hex().notNull(),
    baseModelId: t.hex().notNull(),
    baseWeightsHash: t.hex().notNull(),
    adapterHash: t.hex().notNull(),
    adapterCid: t.hex().notNull(),
    datasetRoot: t.hex().notNull(),
    datasetCid: t.hex().notNull(),
    datasetBlock: t.bigint().notNull(),
    datasetSize: t.integer().notNull(),
    configHash: t.hex().notNull(),
    configCid: t.hex().notNull(),
    metricsHash: t.hex().notNull(),
    metricsCid: t.hex().notNull(),
    /** The model this one refines; null for none (0 in the record). */
    parentId: t.bigint(),
    /** The signature's expiry (unix seconds), as signed. */
    deadline: t.bigint().notNull(),
    signature: t.hex().notNull(),
    flagged: t.boolean().notNull(),
    /** The current flag's reason; null while not flagged. */
    flagReason: t.text(),
    /** Time of the latest flag or clearance; null before the first. */
    flagUpdatedAt: t.bigint(),
    registeredAt: t.bigint().notNull(),
    registeredBlock: t.bigint().notNull(),
    registeredTx: t.hex().notNull(),
  }),
  (table) => ({
    creatorIndex: index().on(table.creator),
    attestorIndex: index().on(table.attestor),
    parentIndex: index().on(table.parentId),
  }),
);

/** Every ModelFlagged and ModelFlagCleared, in chain order: a model's flag history. */
export const modelFlag = onchainTable(
  "model_flag",
  (t) => ({
    /** The log's chain order, block number << 32 | log index. */
    id: t.bigint().primaryKey(),
    modelId: t.bigint().notNull(),
    /** True for ModelFlagged, false for ModelFlagCleared. */
    flagged: t.boolean().notNull(),
    /** Null for a clearance. */
    reason: t.text(),
    by: t.hex().notNull(),
    timestamp: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ modelIndex: index().on(table.modelId) }),
);

/** An account that holds or held ModelRegistry's ATTESTOR_ROLE: models it registered stay, noted as revoked. */
export const attestor = onchainTable("attestor", (t) => ({
  address: t.hex().primaryKey(),
  active: t.boolean().notNull(),
  grantedAt: t.bigint().notNull(),
  /** Time of the latest revocation; null while active. */
  revokedAt: t.bigint(),
}));

/** ModelRegistry's role members (its roles share names, and so ids, with DatanetRegistry's: kept apart). */
export const modelRoleMember = onchainTable(
  "model_role_member",
  (t) => ({
    role: t.hex().notNull(),
    account: t.hex().notNull(),
    active: t.boolean().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.role, table.account] }) }),
);

export const modelRoleAdmin = onchainTable("model_role_admin", (t) => ({
  role: t.hex().primaryKey(),
  adminRole: t.hex().notNull(),
  updatedAt: t.bigint().notNull(),
}));

export const modelRelations = relations(model, ({ one, many }) => ({
  parent: one(model, { fields: [model.parentId], references: [model.id], relationName: "lineage" }),
  children: many(model, { relationName: "lineage" }),
  flags: many(modelFlag),
  attestedBy: one(attestor, { fields: [model.attestor], references: [attestor.address] }),
}));

export const modelFlagRelations = relations(modelFlag, ({ one }) => ({
  model: one(model, { fields: [modelFlag.modelId], references: [model.id] }),
}));

export const attestorRelations = relations(attestor, ({ many }) => ({
  models: many(model),
}));
