/**
 * The automatic validator: with its own key, for every Datanet that lists it as a validator, it follows
 * `Contributed` events on chain, fetches each file by its CID (every block checked against the CID),
 * checks the bytes against the SHA-256 and type the chain recorded, looks for near-duplicates of content
 * already on chain, runs the quality heuristics, and signs an EIP-712 verdict that the relay submits.
 * Its assessment (score, reason, explanation, figures) is kept and served by the API.
 * Progress is a block cursor and a job table in the attestor's database, so a restart resumes.
 */
import { sha256 } from "@provena/common/node";
import { fileTypeByCode, Reason, reasonText, Status, contributionId, signedVerdict, type Verdict, cidFromHex } from "@provena/common";
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
} from "@provena/runtime";
import { assess, type Assessment, type QualityOptions } from "./quality/index.js";
import type { Relay } from "./relay/relay.js";
import { fingerprintOf, type NearThresholds, sniffFile } from "@provena/content";

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
  /** Tries to fetch a file before it is refused as unavailable (with backoff up to 5 minutes). */
  fetchAttempts?: number;
  log?: (line: string) => void;
};

type Job = { contribution: Hex; datanet_id: number; content_hash: Hex; cid: Hex; size: number; file_type: number; attempts: number };

const CURSOR = "validator";
const BLOCK_SPAN = 2_000n;

export function createValidator(options: ValidatorOptions) {
  const { db, store, chain } = options;
  const log = options.log ?? ((line: string) => console.error(`validator: ${line}`));
  const account = privateKeyToAccount(options.validatorKey);
  const fetchAttempts = options.fetchAttempts ?? 12;
  const now = () => Math.floor(Date.now() / 1000);

  const cursor = (): bigint => {
    const row = db.prepare("SELECT block FROM cursor WHERE name = ?").get(CURSOR) as { block: number } | undefined;
    return row ? BigInt(row.block) : options.startBlock - 1n;
  };

  /** Reads the next span of `Contributed` events and queues a job per file in a Datanet this key validates. */
  async function follow(): Promise<boolean> {
    const from = cursor() + 1n;
    const latest = await chain.client.getBlockNumber({ cacheTime: 0 });
    if (from > latest) return false;
    const to = latest < from + BLOCK_SPAN - 1n ? latest : from + BLOCK_SPAN - 1n;
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
      const { datanetId, items } = event.args as {
        datanetId: bigint;
        items: readonly { contentHash: Hex; cid: Hex; size: number; fileType: number }[];
      };
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
        });
      }
    }
    transaction(db, () => {
      const insert = db.prepare(
        "INSERT OR IGNORE INTO job (contribution, datanet_id, content_hash, cid, size, file_type, next_at) VALUES (?, ?, ?, ?, ?, ?, 0)",
      );
      for (const job of jobs) insert.run(job.contribution, job.datanet_id, job.content_hash, job.cid, job.size, job.file_type);
      db.prepare("INSERT INTO cursor (name, block) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET block = excluded.block").run(CURSOR, to);
    });
    return true;
  }

  const refuse = (reason: Reason, explanation: string, checks: Assessment["checks"] = {}): Assessment => ({
    accept: false,
    score: 0,
    reason,
    explanation,
    checks,
  });

  /** The assessment of one contribution's content, or undefined when the content cannot be had yet. */
  async function judge(job: Job): Promise<Assessment | undefined> {
    const cid = cidFromHex(job.cid);
    if (!cid) return refuse(Reason.Corrupt, "the CID recorded on chain does not parse as a CID");
    const size = await store.size(cid).catch(() => undefined);
    if (size === undefined) return undefined;
    if (size !== job.size)
      return refuse(Reason.Corrupt, `the content named by ${cid.toString()} is ${size} bytes; the chain records ${job.size}`, { size });
    const bytes = await readAll(store.cat(cid)); // each block is checked against the CID as it is read
    const digest = sha256(bytes);
    if (digest !== job.content_hash.toLowerCase())
      return refuse(Reason.Corrupt, `the content named by ${cid.toString()} has SHA-256 ${digest}; the chain records ${job.content_hash}`);
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

  async function process(job: Job): Promise<void> {
    const onChain = await chain.contribution(job.contribution);
    if (onChain.status !== Status.Pending || (await chain.hasVoted(job.contribution, account.address))) {
      db.prepare("UPDATE job SET done = 1 WHERE contribution = ?").run(job.contribution);
      return;
    }
    let assessment = await judge(job);
    if (!assessment) {
      if (job.attempts + 1 < fetchAttempts) {
        const wait = Math.min(300, 2 ** job.attempts);
        db.prepare("UPDATE job SET attempts = attempts + 1, next_at = ? WHERE contribution = ?").run(now() + wait, job.contribution);
        return;
      }
      assessment = refuse(Reason.Corrupt, `the content could not be fetched by its CID after ${fetchAttempts} tries`);
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
    const followed = await follow();
    const due = db.prepare("SELECT * FROM job WHERE done = 0 AND next_at <= ? ORDER BY next_at LIMIT 16").all(now()) as Job[];
    for (const job of due) await process(job);
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

  return { address: account.address as Address, start, stop, tick, assessment, followedBlock: cursor, pendingJobs };
}

export type Validator = ReturnType<typeof createValidator>;
