/**
 * The upload gateway's rules, in order, for a batch of files sent to one Datanet: the contributor may
 * contribute there (chain), each file is of a type the Datanet takes (decided from its bytes), within the
 * per-file limit, not already in the Datanet (chain) nor near a file it holds, and the batch fits today's
 * allowance (chain, through `common/limits`) less what the contributor's uploads not yet contributed
 * reserve, and the disk quotas (`pending.ts`). All or nothing, like `contribute`: a batch with one refused
 * file pins nothing, and the answer names every file's problem.
 */
import {
  type Dag,
  Status,
  statusName,
  fileTypeByCode,
  modalityName,
  checkAllowance,
  MAX_BATCH,
  type LimitViolation,
  type ProtocolLimits,
  contributionId,
  signedReceipt,
} from "@provena/common";
import { randomBytes } from "node:crypto";
import { ContractFunctionRevertedError, BaseError, type Address, type Hex, type LocalAccount } from "viem";
import {
  type ChainView,
  transaction,
  type Db,
  confirmFingerprint,
  indexFingerprint,
  nearMatches,
  type NearMatch,
  AttestorError,
  fail,
  type ContentStore,
} from "@provena/runtime";
import { compareFingerprints, type Fingerprint, type NearThresholds, type SniffDetails } from "@provena/content";
import type { Inspector } from "./inspect.js";
import type { ReceivedFile } from "./multipart.js";
import { type Pending, type PendingTracker, pinnedBytes, uploadable } from "./pending.js";

/**
 * What uploads not yet contributed may hold of this node's disk: per address (unset: two days of the
 * protocol's current allowance), and all together.
 */
export type UploadQuotas = { maxPendingFilesPerAddress?: number; maxPendingBytesPerAddress?: number; maxPendingBytes: number };

/** Others' uploads not yet contributed near a file, looked up on chain, at most (closest first). */
const MAX_PENDING_MATCHES_LOOKED_UP = 4;

/** Seconds a client is asked to wait when the node's disk quota for uploads is full (the sweeper frees it). */
const STORAGE_FULL_RETRY_SECONDS = 600;

export type UploadDeps = {
  db: Db;
  store: ContentStore;
  chain: ChainView;
  nearDuplicate: NearThresholds;
  unpinGraceSeconds: number;
  quotas: UploadQuotas;
  /** The thread pool that sniffs, hashes and fingerprints files off the event loop. */
  inspector: Inspector;
  pendingOf: PendingTracker;
  /** Who signs upload receipts, for which ledger; undefined: uploads come without one. */
  receipts?: { signer: LocalAccount; chainId: number; ledger: Address; graceSeconds: number } | undefined;
  now?: () => number;
};

export type Refusal = { index: number; name: string; code: string; message: string; details?: Record<string, unknown> };

export type AcceptedFile = {
  index: number;
  name: string;
  sha256: Hex;
  cid: string;
  /** The CID's bytes, as `contribute` takes them. */
  cidBytes: Hex;
  size: number;
  fileType: number;
  type: string;
  details: SniffDetails;
  contributionId: Hex;
};

type Checked = {
  file: ReceivedFile;
  sha256: Hex;
  cid: string;
  cidBytes: Hex;
  dag: Dag;
  code: number;
  type: string;
  details: SniffDetails;
  fingerprint?: Fingerprint | undefined;
};

const VIOLATION_CODES: Record<LimitViolation["error"], string> = {
  EmptyBatch: "empty_upload",
  BatchTooLarge: "too_many_files",
  EmptyFile: "empty_file",
  FileTooLarge: "file_too_large",
  DailyFileLimitExceeded: "daily_file_limit",
  DailyByteLimitExceeded: "daily_byte_limit",
  DatanetByteCapExceeded: "datanet_byte_cap",
};

const describeViolation = (violation: LimitViolation, allowanceResetsAt: number): string => {
  const resets = new Date(allowanceResetsAt * 1000).toISOString();
  switch (violation.error) {
    case "DailyFileLimitExceeded":
      return `${violation.requested} files is over today's allowance of ${violation.remaining} more files (it resets at ${resets})`;
    case "DailyByteLimitExceeded":
    case "DatanetByteCapExceeded":
      return `${violation.requested} bytes is over today's allowance of ${violation.remaining} more bytes (it resets at ${resets})`;
    default:
      return violation.error;
  }
};

type Terms = Awaited<ReturnType<ChainView["terms"]>>;
type Allowance = Awaited<ReturnType<ChainView["allowance"]>>;

/** Terms for the contributor in the Datanet; 404 for a Datanet that does not exist. */
async function termsFor(chain: ChainView, datanetId: bigint, contributor: Address) {
  try {
    return await chain.terms(datanetId, contributor);
  } catch (error) {
    const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName === "UnknownDatanet") {
      return fail("not_found", "unknown_datanet", `Datanet ${datanetId} does not exist`);
    }
    throw error;
  }
}

export function createUploads(deps: UploadDeps) {
  const { db, store, chain } = deps;
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));

  const limitsFor = (terms: { maxFileBytes: number; dailyBytes: bigint; dailyFiles: number }): ProtocolLimits => ({
    maxFileBytes: terms.maxFileBytes,
    dailyBytes: Number(terms.dailyBytes),
    dailyFiles: terms.dailyFiles,
  });

  /** The per-file checks, each file on its own: size, type from content, modality, duplicates. */
  /** Each file inspected on the thread pool, all at once; undefined for one refused by its size alone. */
  const inspectAll = (files: ReceivedFile[]) =>
    Promise.all(
      files.map(async (file) => {
        if (file.tooLarge || file.bytes.length === 0) return undefined;
        const { inspection, bytes } = await deps.inspector.inspect(file.bytes);
        file.bytes = bytes; // given back by the thread
        return inspection;
      }),
    );

  /** The per-file checks, each file on its own: size, type from content, modality, duplicates. */
  async function check(
    contributor: Address,
    datanetId: bigint,
    modality: ReturnType<typeof modalityName>,
    maxFileBytes: number,
    files: ReceivedFile[],
  ) {
    const refusals: Refusal[] = [];
    const checked: Checked[] = [];
    const seen = new Map<string, number>();
    const inspections = await inspectAll(files);
    // The chain's word on every typed file at once, rather than one read after another.
    const onChain = await Promise.all(
      inspections.map((found) => (found && "sha256" in found ? chain.contribution(contributionId(datanetId, found.sha256)) : undefined)),
    );
    for (const [n, file] of files.entries()) {
      const refuse = (code: string, message: string, details?: Record<string, unknown>) =>
        refusals.push({ index: file.index, name: file.name, code, message: `${file.name}: ${message}`, ...(details ? { details } : {}) });
      const found = inspections[n];
      if (file.tooLarge) {
        refuse("file_too_large", `larger than the ${maxFileBytes}-byte limit per file`, { max: maxFileBytes });
        continue;
      }
      if (!found) {
        refuse("empty_file", "the file is empty");
        continue;
      }
      if (!("sha256" in found)) {
        refuse(found.sniffed.error, found.sniffed.message);
        continue;
      }
      const { sniffed, sha256: digest, fingerprint } = found;
      if (sniffed.modality !== modality) {
        refuse(
          "type_not_allowed",
          `the content is ${sniffed.type.toUpperCase()} (${sniffed.modality}), but Datanet ${datanetId} takes ${modality} files`,
          {
            type: sniffed.type,
          },
        );
        continue;
      }
      const earlier = seen.get(digest);
      if (earlier !== undefined) {
        refuse("duplicate_in_upload", `the same bytes as file ${earlier + 1} of this upload`, { sha256: digest });
        continue;
      }
      seen.set(digest, file.index);
      const standing = onChain[n]!;
      if (standing.status !== Status.None) {
        refuse("duplicate", `Datanet ${datanetId} already holds this file (${statusName(standing.status)} contribution)`, {
          sha256: digest,
        });
        continue;
      }
      if (found.fingerprintError !== undefined) {
        refuse("corrupt", `the ${sniffed.type.toUpperCase()} file does not decode: ${found.fingerprintError}`);
        continue;
      }
      if (fingerprint) {
        const near =
          (await nearInDatanet(contributor, datanetId, digest, fingerprint)) ?? nearInBatch(checked, fingerprint, deps.nearDuplicate);
        if (near) {
          const how =
            near.kind === "text"
              ? `${Math.round(near.similarity * 100)}% of its word shingles`
              : `an image hash ${near.distanceBits} bits away`;
          refuse("near_duplicate", `too close to content already in Datanet ${datanetId} or this upload (${how})`, { ...near });
          continue;
        }
      }
      checked.push({
        file,
        sha256: digest,
        cid: found.cid,
        cidBytes: found.cidBytes,
        dag: found.dag,
        code: sniffed.code,
        type: sniffed.type,
        details: sniffed.details,
        fingerprint,
      });
    }
    return { refusals, checked };
  }

  /** `known`: the terms the caller already read for this contributor and Datanet, if it did. */
  async function upload(contributor: Address, datanetId: bigint, files: ReceivedFile[], known?: Terms) {
    const terms = known ?? (await termsFor(chain, datanetId, contributor));
    if (!terms.allowed)
      fail("forbidden", "not_allow_listed", `Datanet ${datanetId} is private and ${contributor} is not on its allow-list`);
    const limits = limitsFor(terms);
    if (files.length === 0) fail("invalid", "empty_upload", "the upload has no files");
    if (files.length > MAX_BATCH) fail("too_large", "too_many_files", `an upload holds at most ${MAX_BATCH} files`);
    const modality = modalityName(terms.modality);
    const pending = await withinQuota(contributor, files, limits);
    // Read while the files are inspected, not after: one round trip to the chain less per upload.
    const allowance = chain.allowance(contributor, datanetId);
    allowance.catch(() => {}); // awaited below, unless the files are refused first

    const { refusals, checked } = await check(contributor, datanetId, modality, limits.maxFileBytes, files);
    if (refusals.length > 0) {
      throw new AttestorError(
        "refused",
        refusals.length === 1 ? refusals[0]!.code : "files_refused",
        refusals.map((r) => r.message).join("; "),
        {
          details: { refused: refusals },
        },
      );
    }
    withinAllowance(await allowance, checked, limits, pending.today);

    // Record first, then pin: a crash between the two leaves a record the sweeper expires, never a pin nobody tracks.
    const id = randomBytes(16).toString("hex");
    const createdAt = now();
    const accepted: AcceptedFile[] = [];
    for (const c of checked) {
      accepted.push({
        index: c.file.index,
        name: c.file.name,
        sha256: c.sha256,
        cid: c.cid,
        cidBytes: c.cidBytes,
        size: c.file.bytes.length,
        fileType: c.code,
        type: c.type,
        details: c.details,
        contributionId: contributionId(datanetId, c.sha256),
      });
    }
    const bytes = accepted.reduce((sum, file) => sum + file.size, 0);
    transaction(db, () => {
      // Checked in the transaction that records the upload: two uploads at once cannot both take the last room.
      const held = pinnedBytes(db);
      if (held + bytes > deps.quotas.maxPendingBytes)
        throw new AttestorError(
          "unavailable",
          "storage_full",
          `this node holds ${held} bytes of uploads not yet contributed, its limit is ${deps.quotas.maxPendingBytes}: try again later`,
          { retryAfterSeconds: STORAGE_FULL_RETRY_SECONDS },
        );
      db.prepare("INSERT INTO upload (id, contributor, datanet_id, created_at) VALUES (?, ?, ?, ?)").run(
        id,
        contributor,
        datanetId,
        createdAt,
      );
      const insert = db.prepare(
        "INSERT INTO upload_file (upload_id, position, name, sha256, cid, size, type_code, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      );
      for (const [position, file] of accepted.entries()) {
        insert.run(id, position, file.name, file.sha256, file.cid, file.size, file.fileType, JSON.stringify(file.details));
        const fingerprint = checked[position]!.fingerprint;
        if (fingerprint) indexFingerprint(db, datanetId, file.sha256, fingerprint, contributor);
      }
    });
    for (const [position, c] of checked.entries()) {
      const cid = await store.add(c.file.bytes, c.dag);
      if (cid.toString() !== accepted[position]!.cid)
        throw new Error(`the store computed ${cid.toString()} for ${accepted[position]!.cid}`);
    }
    const items = accepted.map((file) => ({ contentHash: file.sha256, cid: file.cidBytes, size: file.size, fileType: file.fileType }));
    const receipts = deps.receipts;
    return {
      upload: id,
      datanetId: datanetId.toString(),
      contributor,
      createdAt,
      unpinAfter: createdAt + deps.unpinGraceSeconds,
      files: accepted,
      /** The `items` argument of `ContributionLedger.contribute(datanetId, items)` (and of `contributeWithReceipt`). */
      contribute: items,
      /** `contributeWithReceipt(datanetId, items, receipt)`'s receipt: these items are this contributor's, until the upload expires. */
      receipt: receipts
        ? await signedReceipt(receipts.signer, receipts.chainId, receipts.ledger, {
            contributor,
            datanetId,
            items,
            deadline: BigInt(createdAt + receipts.graceSeconds),
          })
        : undefined,
    };
  }

  /**
   * The closest content in the way of a file: on chain, or the contributor's own upload not yet contributed.
   * Another's upload counts only once the chain shows it (looked up, for the closest few).
   */
  async function nearInDatanet(
    contributor: Address,
    datanetId: bigint,
    digest: Hex,
    fingerprint: Fingerprint,
  ): Promise<NearMatch | undefined> {
    const own = contributor.toLowerCase();
    let othersLookedUp = 0;
    for (const { owner, ...near } of nearMatches(db, datanetId, digest, fingerprint, deps.nearDuplicate)) {
      if (owner === null || owner === own) return near;
      if (othersLookedUp++ >= MAX_PENDING_MATCHES_LOOKED_UP) continue;
      if ((await chain.contribution(contributionId(datanetId, near.sha256 as Hex))).status === Status.None) continue;
      confirmFingerprint(db, datanetId, near.sha256);
      return near;
    }
    return undefined;
  }

  /** The contributor's uploads not yet contributed, with these files, stay within the per-address quotas. */
  async function withinQuota(contributor: Address, files: ReceivedFile[], limits: ProtocolLimits): Promise<Pending> {
    const quotas = {
      maxPendingFilesPerAddress: deps.quotas.maxPendingFilesPerAddress ?? 2 * limits.dailyFiles,
      maxPendingBytesPerAddress: deps.quotas.maxPendingBytesPerAddress ?? 2 * limits.dailyBytes,
    };
    const pending = await deps.pendingOf(contributor, { now: now(), graceSeconds: deps.unpinGraceSeconds });
    const bytes = files.reduce((sum, file) => sum + file.bytes.length, 0);
    if (
      pending.all.files + files.length > quotas.maxPendingFilesPerAddress ||
      pending.all.bytes + bytes > quotas.maxPendingBytesPerAddress
    ) {
      const expires =
        pending.firstExpiry === undefined ? "" : `; the oldest expires at ${new Date(pending.firstExpiry * 1000).toISOString()}`;
      throw new AttestorError(
        "rate_limited",
        "pending_uploads_limit",
        `${contributor} has ${pending.all.files} files (${pending.all.bytes} bytes) uploaded and not yet contributed; with these ${files.length} (${bytes} bytes) ` +
          `that is over the ${quotas.maxPendingFilesPerAddress} files or ${quotas.maxPendingBytesPerAddress} bytes an address may hold here: contribute them first${expires}`,
        {
          details: {
            pending: pending.all,
            maxPendingFiles: quotas.maxPendingFilesPerAddress,
            maxPendingBytes: quotas.maxPendingBytesPerAddress,
          },
          retryAfterSeconds: pending.firstExpiry === undefined ? undefined : Math.max(1, pending.firstExpiry - now()),
        },
      );
    }
    return pending;
  }

  /** The files fit today's allowance on chain, less what today's uploads not yet contributed reserve of it. */
  function withinAllowance(allowance: Allowance, checked: Checked[], limits: ProtocolLimits, reserved: Pending["today"]) {
    const room = uploadable(allowance, reserved);
    const left = { ...allowance, bytesLeft: room.bytes, filesLeft: room.files };
    const violation = checkAllowance(
      checked.map((c) => c.file.bytes.length),
      left,
      limits,
    );
    if (!violation) return;
    const held =
      reserved.files > 0 ? ` (${reserved.files} files, ${reserved.bytes} bytes of it reserved by uploads not yet contributed)` : "";
    throw new AttestorError(
      "rate_limited",
      VIOLATION_CODES[violation.error],
      `${describeViolation(violation, allowance.resetsAt)}${held}`,
      {
        details: { allowance, reserved },
      },
    );
  }

  /** An upload and each file's standing on chain. */
  async function status(id: string) {
    const row = db.prepare("SELECT contributor, datanet_id, created_at FROM upload WHERE id = ?").get(id) as
      | { contributor: Address; datanet_id: number; created_at: number }
      | undefined;
    if (!row) return fail("not_found", "unknown_upload", `no upload ${id}`);
    const datanetId = BigInt(row.datanet_id);
    const files = db
      .prepare("SELECT position, name, sha256, cid, size, type_code, details, state FROM upload_file WHERE upload_id = ? ORDER BY position")
      .all(id) as {
      position: number;
      name: string;
      sha256: Hex;
      cid: string;
      size: number;
      type_code: number;
      details: string;
      state: string;
    }[];
    const standing = await Promise.all(files.map((file) => chain.contribution(contributionId(datanetId, file.sha256))));
    return {
      upload: id,
      datanetId: datanetId.toString(),
      contributor: row.contributor,
      createdAt: row.created_at,
      unpinAfter: row.created_at + deps.unpinGraceSeconds,
      files: files.map((file, i) => ({
        index: file.position,
        name: file.name,
        sha256: file.sha256,
        cid: file.cid,
        size: file.size,
        fileType: file.type_code,
        type: fileTypeByCode(file.type_code)?.name,
        details: JSON.parse(file.details) as SniffDetails,
        contributionId: contributionId(datanetId, file.sha256),
        /** not_contributed (pinned, waiting for the transaction), pending, accepted, rejected; or expired (unpinned). */
        status:
          standing[i]!.status !== Status.None ? statusName(standing[i]!.status) : file.state === "unpinned" ? "expired" : "not_contributed",
        score: standing[i]!.status === Status.Accepted ? standing[i]!.score / 100 : undefined,
      })),
    };
  }

  return { upload, status };
}

function nearInBatch(checked: Checked[], fingerprint: Fingerprint, thresholds: NearThresholds): NearMatch | undefined {
  // The batch's own files are not indexed yet: compare them directly.
  for (const other of checked) {
    const near = other.fingerprint && compareFingerprints(other.fingerprint, fingerprint, thresholds);
    if (near) return { ...near, sha256: other.sha256 };
  }
  return undefined;
}
