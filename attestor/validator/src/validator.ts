/**
 * The automatic validator: with its own key, for every Datanet that lists it as a validator, it follows
 * `Contributed` events on chain, fetches each file by its CID (every block checked against the CID),
 * checks the bytes against the SHA-256 and type the chain recorded, looks for near-duplicates of content
 * already on chain, runs the quality heuristics, and signs an EIP-712 verdict that the relay submits.
 * Its assessment (score, reason, explanation, figures) is kept and served by the API.
 * Progress is a block cursor (`follower.ts`: confirmations, reorgs, spans the node refuses) and a job
 * table in the attestor's database, so a restart resumes. One job never stops the others: each attempt is
 * bounded in time, and a failed one is counted and backed off; after `fetchAttempts` the file is refused.
 */
import { sha256 } from "@provena/common/node";
import {
  cidFromHex,
  cidMatches,
  cidProfileViolation,
  contributionId,
  fileTypeByCode,
  Reason,
  reasonText,
  signedVerdict,
  Status,
  type Verdict,
} from "@provena/common";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type ChainView,
  transaction,
  type Db,
  findNear,
  indexFingerprint,
  readAll,
  type ContentStore,
  backgroundLoop,
  firstLineOf,
  isUnreachable,
} from "@provena/runtime";
import { assess, type Assessment, type QualityOptions } from "./quality/index.js";
import type { Relay } from "./relay/relay.js";
import { fingerprintOf, type NearThresholds, sniffFile } from "@provena/content";
import { createFollower } from "./follower.js";

export type ValidatorOptions = {
  db: Db;
  store: ContentStore;
  chain: ChainView;
  chainId: number;
  validatorKey: Hex;
  relay: Relay;
  startBlock: bigint;
  pollingMs: number;
  verdictTtlSeconds: number;
  nearDuplicate: NearThresholds;
  quality?: Partial<QualityOptions>;
  /** Blocks a `Contributed` event must be under before its files are judged. */
  confirmations: number;
  /** Tries to fetch and judge a file before it is refused as unavailable (with backoff up to 5 minutes). */
  fetchAttempts?: number;
  /** How long one try may take, fetching included. Default 60 s. */
  jobTimeoutMs?: number;
  log?: (line: string) => void;
};

type Job = {
  contribution: Hex;
  datanet_id: number;
  content_hash: Hex;
  cid: Hex;
  size: number;
  file_type: number;
  attempts: number;
  block: number;
};

type ContributedItem = { contentHash: Hex; cid: Hex; size: number; fileType: number };

const CURSOR = "validator";
const MAX_BACKOFF_SECONDS = 300;
const DEFAULT_JOB_TIMEOUT_MS = 60_000;

/** Runs `work` with a signal that aborts after `ms`; rejects then even if `work` ignores the signal. */
async function bounded<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`it took longer than ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createValidator(options: ValidatorOptions) {
  const { db, store, chain } = options;
  const log = options.log ?? ((line: string) => console.error(`validator: ${line}`));
  const account = privateKeyToAccount(options.validatorKey);
  const fetchAttempts = options.fetchAttempts ?? 12;
  const jobTimeoutMs = options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  const now = () => Math.floor(Date.now() / 1000);

  /** The `Contributed` events of blocks [from, to] in Datanets this key validates, as jobs. */
  async function read(from: bigint, to: bigint): Promise<Job[]> {
    const events = await chain.client.getContractEvents({
      ...chain.ledger,
      eventName: "Contributed",
      fromBlock: from,
      toBlock: to,
      strict: true,
    });
    const validates = new Map<bigint, boolean>();
    const jobs: Job[] = [];
    for (const event of events) {
      const { datanetId, items } = event.args as { datanetId: bigint; items: readonly ContributedItem[] };
      if (!validates.has(datanetId)) validates.set(datanetId, (await chain.validatorQuorum(datanetId, account.address))[0]);
      if (!validates.get(datanetId)) continue;
      for (const item of items) {
        jobs.push({
          contribution: contributionId(datanetId, item.contentHash),
          datanet_id: Number(datanetId),
          content_hash: item.contentHash,
          cid: item.cid,
          size: item.size,
          file_type: item.fileType,
          attempts: 0,
          block: Number(event.blockNumber),
        });
      }
    }
    return jobs;
  }

  const follower = createFollower({
    db,
    chain,
    name: CURSOR,
    startBlock: options.startBlock,
    confirmations: options.confirmations,
    read,
    record(jobs) {
      // A job already known keeps its progress; only the block it came from is brought up to date.
      const upsert = db.prepare(
        `INSERT INTO job (contribution, datanet_id, content_hash, cid, size, file_type, next_at, block) VALUES (?, ?, ?, ?, ?, ?, 0, ?)
         ON CONFLICT (contribution) DO UPDATE SET block = excluded.block`,
      );
      for (const job of jobs) upsert.run(job.contribution, job.datanet_id, job.content_hash, job.cid, job.size, job.file_type, job.block);
    },
    // The files of lost blocks are looked at again: gone from the chain (dropped), or pending once more (judged again).
    rewind: (block) => db.prepare("UPDATE job SET done = 0, attempts = 0, next_at = 0 WHERE block > ?").run(Number(block)),
    log,
  });

  const refuse = (reason: Reason, explanation: string, checks: Assessment["checks"] = {}): Assessment => ({
    accept: false,
    score: 0,
    reason,
    explanation,
    checks,
  });

  /** The assessment of one contribution's content, or undefined when the content cannot be had yet. */
  async function judge(job: Job, signal: AbortSignal): Promise<Assessment | undefined> {
    const cid = cidFromHex(job.cid);
    if (!cid) return refuse(Reason.Corrupt, "the CID recorded on chain does not parse as a CID");
    const violation = cidProfileViolation(cid);
    if (violation) return refuse(Reason.Corrupt, `the CID ${cid.toString()} is not one Provena stores files under: ${violation}`);
    const size = await store.size(cid, signal).catch(() => undefined);
    if (size === undefined) return undefined;
    if (size !== job.size)
      return refuse(Reason.Corrupt, `the content named by ${cid.toString()} is ${size} bytes; the chain records ${job.size}`, { size });
    const bytes = await readAll(store.cat(cid, { signal })); // each block is checked against the CID as it is read
    const digest = sha256(bytes);
    if (digest !== job.content_hash.toLowerCase())
      return refuse(Reason.Corrupt, `the content named by ${cid.toString()} has SHA-256 ${digest}; the chain records ${job.content_hash}`);
    // The same bytes under another chunking are another CID: anyone re-adding the file could not find it.
    if (!(await cidMatches(cid, bytes, digest)))
      return refuse(Reason.Corrupt, `${cid.toString()} is not the CID Provena's profile gives these bytes (chunking or layout differ)`);
    const sniffed = sniffFile(bytes);
    if (!sniffed.ok)
      return refuse(sniffed.error === "unknown_type" || sniffed.error === "polyglot" ? Reason.WrongType : Reason.Corrupt, sniffed.message, {
        sniff: sniffed.error,
      });
    if (sniffed.code !== job.file_type) {
      const declared = fileTypeByCode(job.file_type)?.name ?? `code ${job.file_type}`;
      return refuse(Reason.WrongType, `declared as ${declared.toUpperCase()} on chain, but the content is ${sniffed.type.toUpperCase()}`, {
        type: sniffed.type,
      });
    }
    const datanetId = BigInt(job.datanet_id);
    const fingerprint = await fingerprintOf(bytes, sniffed.type, sniffed.modality).catch(() => undefined);
    if (fingerprint) {
      const near = findNear(db, datanetId, digest, fingerprint, options.nearDuplicate);
      // Only content already on chain counts: an upload that was never contributed is no precedent.
      if (near && (await chain.contribution(contributionId(datanetId, near.sha256 as Hex))).status !== Status.None) {
        const how =
          near.kind === "text"
            ? `${Math.round(near.similarity * 100)}% of word shingles shared`
            : `image hash ${near.distanceBits} bits away`;
        return refuse(Reason.NearDuplicate, `a near-duplicate of ${near.sha256} already in Datanet ${datanetId} (${how})`, {
          nearDuplicateOf: near.sha256,
        });
      }
      indexFingerprint(db, datanetId, digest, fingerprint);
    }
    return assess(bytes, sniffed.type, options.quality);
  }

  const backOff = (job: Job, error: string) => {
    const wait = Math.min(MAX_BACKOFF_SECONDS, 2 ** job.attempts);
    db.prepare("UPDATE job SET attempts = attempts + 1, next_at = ?, error = ? WHERE contribution = ?").run(
      now() + wait,
      error,
      job.contribution,
    );
    log(`${job.contribution}: try ${job.attempts + 1} of ${fetchAttempts} failed (${error}); again in ${wait} s`);
  };

  async function process(job: Job): Promise<void> {
    const onChain = await chain.contribution(job.contribution);
    // Unknown on chain: its block was lost to a reorg. Dropped; it comes back with its event if it is mined again.
    if (onChain.status === Status.None) {
      db.prepare("DELETE FROM job WHERE contribution = ?").run(job.contribution);
      return;
    }
    if (onChain.status !== Status.Pending || (await chain.hasVoted(job.contribution, account.address))) {
      db.prepare("UPDATE job SET done = 1 WHERE contribution = ?").run(job.contribution);
      return;
    }
    let assessment: Assessment | undefined;
    let problem = "no node it can reach holds the content";
    try {
      assessment = await bounded(jobTimeoutMs, (signal) => judge(job, signal));
    } catch (error) {
      if (isUnreachable(error)) throw error; // the chain node is down: nothing is counted against the file
      problem = firstLineOf(error);
    }
    if (!assessment) {
      if (job.attempts + 1 < fetchAttempts) return backOff(job, problem);
      assessment = refuse(Reason.Corrupt, `the content could not be read by its CID after ${fetchAttempts} tries: ${problem}`);
    }
    const verdict: Verdict = {
      contribution: job.contribution,
      accept: assessment.accept,
      score: assessment.score,
      reason: assessment.reason,
      deadline: BigInt(now() + options.verdictTtlSeconds),
    };
    const signed = await signedVerdict(account, options.chainId, chain.ledger.address, verdict);
    transaction(db, () => {
      db.prepare(
        `INSERT OR REPLACE INTO assessment (contribution, datanet_id, accept, score, reason, explanation, checks, assessed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        job.contribution,
        job.datanet_id,
        assessment.accept ? 1 : 0,
        assessment.score,
        assessment.reason,
        assessment.explanation,
        JSON.stringify(assessment.checks),
        now(),
      );
      options.relay.enqueueOwn(signed);
      db.prepare("UPDATE job SET done = 1 WHERE contribution = ?").run(job.contribution);
    });
    log(`${job.contribution}: ${assessment.accept ? "accept" : "reject"} ${assessment.score} (${reasonText(assessment.reason)})`);
  }

  /** One step: follow the chain, then judge the due jobs. True when there was something to do. */
  async function tick(): Promise<boolean> {
    const followed = await follower.step();
    const due = db.prepare("SELECT * FROM job WHERE done = 0 AND next_at <= ? ORDER BY next_at LIMIT 16").all(now()) as Job[];
    for (const job of due) {
      try {
        await process(job);
      } catch (error) {
        if (isUnreachable(error)) throw error; // the node is down: the loop retries with backoff
        backOff(job, firstLineOf(error)); // anything else is this job's: counted, and the others go on
      }
    }
    return followed || due.length > 0;
  }

  const assessment = (contribution: Hex) => {
    const row = db.prepare("SELECT * FROM assessment WHERE contribution = ?").get(contribution.toLowerCase()) as
      | {
          contribution: Hex;
          datanet_id: number;
          accept: number;
          score: number;
          reason: number;
          explanation: string;
          checks: string;
          assessed_at: number;
        }
      | undefined;
    if (!row) return undefined;
    return {
      contribution: row.contribution,
      datanetId: String(row.datanet_id),
      validator: account.address,
      accept: row.accept === 1,
      score: row.score,
      reason: row.reason,
      reasonText: reasonText(row.reason) ?? "unknown",
      explanation: row.explanation,
      checks: JSON.parse(row.checks) as Record<string, unknown>,
      assessedAt: row.assessed_at,
    };
  };

  const { start, stop } = backgroundLoop({ tick, idleMs: options.pollingMs, retryMs: options.pollingMs, log });

  const pendingJobs = () => (db.prepare("SELECT COUNT(*) AS n FROM job WHERE done = 0").get() as { n: number }).n;

  return {
    address: account.address as Address,
    start,
    stop,
    tick,
    assessment,
    followedBlock: follower.cursor,
    followerLag: follower.lag,
    pendingJobs,
  };
}

export type Validator = ReturnType<typeof createValidator>;
