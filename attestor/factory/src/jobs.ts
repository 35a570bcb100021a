/**
 * ModelFactory's training jobs: a persistent queue (SQLite) run one job at a time by the Python worker.
 * A job names a base model of the catalog, text Datanets and hyperparameters; the dataset is those
 * Datanets' Accepted contributions as of the block recorded when the job was created. Progress messages
 * are kept in order and streamed to subscribers. A restart resumes a job from its last checkpoint, or
 * marks it failed with the reason. A finished job is published on chain with its provenance.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { Address } from "viem";
import { AttestorError, type ChainView, transaction, type Db, fail, type ContentStore, withoutUrls } from "@provena/runtime";
import { checkDatasetRequest, collectDataset } from "./provenance/dataset.js";
import { encodeManifest, parseManifest } from "@provena/common";
import { portable, withBaseModel } from "./provenance/portable.js";
import { publishModel, type Published, type Publisher } from "./provenance/publish.js";
import { AcceleratorBusyError, type AcceleratorLock } from "./accelerator.js";
import { listModels, readModel, weightsHash, type BaseModel } from "./catalog.js";
import type { JobSettings } from "../../trainer/protocol.js";
import { JOB_SETTINGS } from "../../trainer/settings.js";
import { pickNext, type QueueHead } from "./queue.js";
import { checkSpec, startWorker, type RunningWorker, type WorkerMessage } from "./worker.js";
import { createGate } from "./gate.js";

export type { JobSettings } from "../../trainer/protocol.js";

export type JobState = "queued" | "running" | "done" | "failed" | "cancelled";

/** The most Datanets one job may name. */
export const MAX_JOB_DATANETS = 16;

export type JobRequest = { baseModel: string; datanets: (string | number)[]; settings?: JobSettings; parentJob?: number };

export type FactoryOptions = {
  db: Db;
  chain: ChainView;
  store: ContentStore;
  chainId: number;
  startBlock: bigint;
  modelsDir: string;
  /** Job folders (dataset, spec, checkpoints, artifacts) go under `<stateDir>/jobs/<id>`. */
  stateDir: string;
  /** The lock training and evaluation take (chat takes the same one), so one worker uses the device at a time. */
  accelerator: AcceleratorLock;
  /** Signs and sends provenance records; unset: publishing is refused. */
  publisher?: Publisher;
  /** The most jobs one wallet may have queued or running at once (default 2). */
  jobsPerWallet?: number;
  /** How long a job may take from its first start (default 6 h); then it is stopped and fails with job_timeout. */
  jobTimeoutMs?: number;
  log?: (line: string) => void;
};

type JobRow = {
  id: number;
  creator: string;
  base_model: string;
  datanets: string;
  dataset_block: number;
  settings: string;
  parent_job: number | null;
  state: JobState;
  error_code: string | null;
  error: string | null;
  checkpoint: string | null;
  metrics: string | null;
  model_id: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  start_seq: number | null;
};

// What a user chooses, generated from the worker's schema ($defs/JobSettings): its hyperparameter sections, never paths.
const SETTINGS_KEYS = Object.keys(JOB_SETTINGS) as (keyof typeof JOB_SETTINGS)[];
/** "a, b and c" */
const listed = (words: string[]) => (words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : (words[0] ?? ""));
const FINAL: readonly JobState[] = ["done", "failed", "cancelled"];

const now = () => Math.floor(Date.now() / 1000);

/** The training job the factory is running (or waiting for the accelerator to run). */
type Running = { id: number; worker?: RunningWorker; cancelled: boolean; timedOut?: boolean };

/** Training specs checked by the worker at once, and waiting; then 503 `spec_checks_busy`. */
export const SPEC_CHECKS = { maxActive: 2, maxWaiting: 16 };
const SPEC_CHECK_RETRY_SECONDS = 2;

export function createFactory(options: FactoryOptions) {
  const { db } = options;
  const log = options.log ?? ((line: string) => console.error(`factory: ${line}`));
  const jobsPerWallet = options.jobsPerWallet ?? 2;
  const jobTimeoutMs = options.jobTimeoutMs ?? 6 * 3_600_000;
  const subscribers = new Map<number, Set<(event: JobEvent) => void>>();
  let running: Running | undefined;
  let stopped = false;

  const folder = (id: number) => join(options.stateDir, "jobs", String(id));
  const row = (id: number) => db.prepare("SELECT * FROM train_job WHERE id = ?").get(id) as JobRow | undefined;
  const requireJob = (id: number) => row(id) ?? fail("not_found", "unknown_job", `there is no training job ${id}`);
  /** The job's own adapter folder, as the worker exports it. */
  const adapterDir = (id: number) => join(folder(id), "out", "adapter");
  const baseModelOf = (job: JobRow): BaseModel =>
    readModel(options.modelsDir, job.base_model) ??
    fail("not_found", "unknown_model", `base model ${job.base_model} is no longer in the catalog`);
  const requireCreator = (job: JobRow, by: Address) => {
    if (job.creator !== by.toLowerCase()) fail("forbidden", "not_creator", `job ${job.id} belongs to ${job.creator}`);
  };

  function emit(id: number, message: JobMessage) {
    const seq = ((db.prepare("SELECT MAX(seq) AS last FROM train_event WHERE job = ?").get(id) as { last: number | null }).last ?? 0) + 1;
    db.prepare("INSERT INTO train_event (job, seq, message) VALUES (?, ?, ?)").run(id, seq, JSON.stringify(message));
    for (const listener of subscribers.get(id) ?? []) listener({ seq, message });
  }

  function setState(
    id: number,
    state: JobState,
    fields: Partial<Pick<JobRow, "error_code" | "error" | "metrics" | "checkpoint" | "started_at" | "finished_at">> = {},
  ) {
    const sets = ["state = ?", ...Object.keys(fields).map((key) => `${key} = ?`)];
    db.prepare(`UPDATE train_job SET ${sets.join(", ")} WHERE id = ?`).run(state, ...Object.values(fields), id);
    emit(id, { type: "status", state, ...(fields.error_code ? { code: fields.error_code, message: fields.error } : {}) });
  }

  // ------------------------------------------------------------ creating

  function checkSettings(settings: unknown): JobSettings {
    if (settings === undefined) return {};
    if (typeof settings !== "object" || settings === null || Array.isArray(settings))
      fail("invalid", "invalid_settings", "settings must be an object");
    for (const key of Object.keys(settings as object)) {
      if (!(SETTINGS_KEYS as string[]).includes(key))
        fail("invalid", "invalid_settings", `settings.${key} cannot be set: only ${listed(SETTINGS_KEYS)} are a job's to choose`);
    }
    // Each section is an allow-list too (the worker's ranges are checked by the worker itself, below).
    for (const section of SETTINGS_KEYS) {
      const value = (settings as Record<string, unknown>)[section];
      if (value === undefined) continue;
      if (typeof value !== "object" || value === null || Array.isArray(value))
        fail("invalid", "invalid_settings", `settings.${section} must be an object`);
      const allowed = Object.keys(JOB_SETTINGS[section]);
      for (const key of Object.keys(value as object)) {
        if (!allowed.includes(key))
          fail("invalid", "invalid_settings", `settings.${section}.${key} cannot be set: only ${listed(allowed)}`, {
            field: `${section}.${key}`,
          });
      }
    }
    return settings as JobSettings;
  }

  /** The worker's spec for a job; paths are the attestor's. */
  function specOf(job: Pick<JobRow, "id" | "base_model" | "settings" | "parent_job" | "checkpoint">, model: BaseModel) {
    const settings = JSON.parse(job.settings) as JobSettings;
    const dir = folder(job.id);
    const parentAdapter = job.parent_job ? adapterDir(job.parent_job) : undefined;
    return {
      model: { path: model.path },
      data: { ...settings.data, train: join(dir, "dataset.jsonl") },
      ...(settings.finetuning ? { finetuning: settings.finetuning } : {}),
      ...(settings.training ? { training: settings.training } : {}),
      ...(settings.export ? { export: settings.export } : {}),
      output_dir: join(dir, "out"),
      ...(job.checkpoint ? { resume_from: job.checkpoint } : {}),
      ...(parentAdapter ? { adapter: parentAdapter } : {}),
    };
  }

  /** Refuses a wallet at its quota of live (queued or running) jobs. */
  function checkQuota(creator: Address) {
    const { live } = db
      .prepare("SELECT COUNT(*) AS live FROM train_job WHERE creator = ? AND state IN ('queued', 'running')")
      .get(creator.toLowerCase()) as { live: number };
    if (live >= jobsPerWallet)
      fail(
        "rate_limited",
        "job_quota",
        `${creator} already has ${live} job(s) queued or running, the most one wallet may have: wait for one to finish or cancel one`,
        { live, jobsPerWallet },
      );
  }

  // Each check starts a Python process: bounded at once and in line, one per wallet at a time.
  const specChecks = createGate(SPEC_CHECKS);
  const checking = new Set<string>();
  async function checkedSpec(creator: Address, spec: object) {
    const wallet = creator.toLowerCase();
    if (checking.has(wallet))
      throw new AttestorError(
        "rate_limited",
        "spec_check_in_progress",
        `${creator} already has a job request being checked: send the next when it has been answered`,
        { retryAfterSeconds: SPEC_CHECK_RETRY_SECONDS },
      );
    checking.add(wallet);
    try {
      const checked = await specChecks.run(() => checkSpec(spec));
      if (!checked)
        throw new AttestorError(
          "unavailable",
          "spec_checks_busy",
          "too many training requests are being checked right now: try again shortly",
          {
            retryAfterSeconds: SPEC_CHECK_RETRY_SECONDS,
          },
        );
      return checked.value;
    } finally {
      checking.delete(wallet);
    }
  }

  /** Validates a request (quota, catalog, Datanets, the worker's own hyperparameter rules) and queues the job. */
  async function create(request: JobRequest, creator: Address) {
    checkQuota(creator);
    if (typeof request?.baseModel !== "string") fail("invalid", "invalid_request", "baseModel (a catalog model id) is required");
    const model =
      readModel(options.modelsDir, request.baseModel) ??
      fail("not_found", "unknown_model", `no base model "${request.baseModel}" in the catalog (GET /models)`);
    if (!Array.isArray(request.datanets) || request.datanets.some((id) => !/^\d{1,10}$/.test(String(id)))) {
      fail("invalid", "invalid_request", "datanets must be a list of Datanet ids");
    }
    // Each Datanet costs chain reads before anything is queued: a stranger's list is bounded.
    if (request.datanets.length > MAX_JOB_DATANETS)
      fail("invalid", "too_many_datanets", `a job trains on at most ${MAX_JOB_DATANETS} Datanets, not ${request.datanets.length}`);
    const datanets = [...new Set(request.datanets.map((id) => BigInt(id)))];
    const block = await checkDatasetRequest(options.chain, { datanets });
    const settings = checkSettings(request.settings);
    let parent: JobRow | undefined;
    if (request.parentJob !== undefined) {
      parent =
        row(Number(request.parentJob)) ?? fail("not_found", "unknown_job", `there is no training job ${request.parentJob} to refine`);
      if (parent!.state !== "done")
        fail("conflict", "parent_not_done", `job ${parent!.id} is ${parent!.state}: only a finished job can be refined`);
      if (parent!.base_model !== model.id)
        fail(
          "refused",
          "parent_base_mismatch",
          `job ${parent!.id} fine-tuned ${parent!.base_model}, not ${model.id}: an adapter only fits its own base model`,
        );
    }
    const draft = { id: 0, base_model: model.id, settings: JSON.stringify(settings), parent_job: parent?.id ?? null, checkpoint: null };
    const problem = await checkedSpec(creator, specOf(draft, model));
    if (problem) fail("invalid", problem.code, problem.message, problem.field ? { field: problem.field } : undefined);
    // Again, now that nothing awaits between the count and the insert: concurrent requests cannot both pass.
    checkQuota(creator);
    const { lastInsertRowid } = db
      .prepare(
        "INSERT INTO train_job (creator, base_model, datanets, dataset_block, settings, parent_job, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)",
      )
      .run(creator.toLowerCase(), model.id, JSON.stringify(datanets.map(String)), Number(block), draft.settings, draft.parent_job, now());
    const id = Number(lastInsertRowid);
    emit(id, { type: "status", state: "queued" });
    void pump();
    return describe(id);
  }

  // ------------------------------------------------------------ running

  async function run(job: JobRow, current: Running) {
    const dir = folder(job.id);
    mkdirSync(dir, { recursive: true });
    db.prepare("UPDATE train_job SET start_seq = (SELECT COALESCE(MAX(start_seq), 0) + 1 FROM train_job) WHERE id = ?").run(job.id);
    const startedAt = job.started_at ?? now();
    setState(job.id, "running", { started_at: startedAt });
    let deadline: NodeJS.Timeout | undefined;
    try {
      const model = baseModelOf(job);
      if (!existsSync(join(dir, "manifest.json"))) {
        const dataset = await collectDataset(options.chain, options.store, options.chainId, options.startBlock, {
          datanets: (JSON.parse(job.datanets) as string[]).map(BigInt),
          block: BigInt(job.dataset_block),
        });
        writeFileSync(join(dir, "dataset.jsonl"), `${dataset.records.map((record) => JSON.stringify(record)).join("\n")}\n`);
        writeFileSync(join(dir, "manifest.json"), encodeManifest(dataset.manifest));
        emit(job.id, {
          type: "status",
          state: "running",
          dataset: { contributions: dataset.manifest.leaves.length, root: dataset.manifest.root, skipped: dataset.skipped },
        });
      }
      const spec = specOf(job, model);
      writeFileSync(join(dir, "spec.json"), JSON.stringify(spec, null, 1));
      if (current.cancelled) return setState(job.id, "cancelled", { finished_at: now() });
      let metrics: Record<string, number> = {};
      const worker = await startWorker("train", spec, {
        onMessage: (message) => {
          if (message.type === "done") metrics = message.metrics ?? {};
          if (message.type === "checkpoint") db.prepare("UPDATE train_job SET checkpoint = ? WHERE id = ?").run(message.path, job.id);
          emit(job.id, message);
        },
        onLog: (line) => {
          log(`job ${job.id}: ${line}`);
          emit(job.id, { type: "log", line });
        },
      });
      current.worker = worker;
      if (current.cancelled) worker.cancel();
      // The job's time runs from its first start; when it is up, the worker stops as on cancel (final checkpoint).
      deadline = setTimeout(
        () => {
          current.timedOut = true;
          worker.cancel();
        },
        // setTimeout takes at most 2^31 - 1 ms (about 24.8 days); past that it would fire at once.
        Math.min(2 ** 31 - 1, Math.max(0, startedAt * 1000 + jobTimeoutMs - Date.now())),
      );
      const { code, error } = await worker.exited;
      clearTimeout(deadline);
      // Stopped with the attestor: the job stays running, to resume from its final checkpoint at the next start.
      if (stopped && !current.cancelled) return;
      if (code === 0) {
        setState(job.id, "done", { metrics: JSON.stringify(metrics), finished_at: now() });
      } else if (current.timedOut && !current.cancelled) {
        // Whether it had checkpointed (3) or was stopped before it could (still starting): its time is up.
        setState(job.id, "failed", {
          error_code: "job_timeout",
          error: `the job ran longer than ${jobTimeoutMs / 1000} s, this attestor's limit for one job: it was stopped`,
          finished_at: now(),
        });
      } else if (code === 3) {
        setState(job.id, "cancelled", { finished_at: now() });
      } else {
        setState(job.id, "failed", {
          error_code: error?.code ?? "worker_failed",
          error: withoutUrls(error?.message ?? `the training worker exited with ${code}`),
          finished_at: now(),
        });
      }
    } catch (cause) {
      clearTimeout(deadline);
      const code = (cause as { code?: string }).code ?? "internal_error";
      // The job's record is public (GET /jobs/:id and its events): never a URL with its credentials.
      const { shortMessage, message } = cause as { shortMessage?: string; message?: string };
      setState(job.id, "failed", { error_code: code, error: withoutUrls(shortMessage ?? message ?? String(cause)), finished_at: now() });
    }
  }

  /** Each waiting wallet's oldest queued job, with the start order of the wallet's last started job. */
  const queueHeads = () =>
    db
      .prepare(
        `SELECT MIN(q.id) AS id, q.creator AS creator, (SELECT MAX(s.start_seq) FROM train_job s WHERE s.creator = q.creator) AS lastStart
         FROM train_job q WHERE q.state = 'queued' GROUP BY q.creator`,
      )
      .all() as QueueHead[];

  /** Starts the next queued job (round-robin across wallets: `pickNext`) when none runs, once the accelerator is free. */
  async function pump() {
    if (running || stopped) return;
    const next = pickNext(queueHeads());
    if (!next) return;
    const current: Running = { id: next.id, cancelled: false };
    running = current;
    try {
      await options.accelerator.use({ purpose: `train job ${next.id}` }, async () => {
        // Cancelled (or the attestor stopped) while it waited for the accelerator: nothing to run.
        const job = row(next.id);
        if (job?.state === "queued" && !stopped) await run(job, current);
      });
    } catch (error) {
      if (!(error instanceof AcceleratorBusyError)) throw error;
      // The line is full of chat and evaluation requests: the queue keeps the job, try again shortly.
      setTimeout(() => void pump(), 1_000).unref();
      return;
    } finally {
      running = undefined;
    }
    void pump();
  }

  /** After a restart: a job that was running resumes from its checkpoint, or fails with the reason. */
  function recover() {
    for (const job of db.prepare("SELECT * FROM train_job WHERE state = 'running'").all() as JobRow[]) {
      if (job.checkpoint && existsSync(job.checkpoint)) {
        transaction(db, () => setState(job.id, "queued"));
        log(`job ${job.id}: resumes from ${job.checkpoint}`);
      } else {
        setState(job.id, "failed", {
          error_code: "interrupted",
          error: "the attestor stopped while the job ran, before its first checkpoint: create it again",
          finished_at: now(),
        });
      }
    }
    void pump();
  }

  function cancel(id: number, by: Address) {
    const job = requireJob(id);
    requireCreator(job, by);
    if (FINAL.includes(job.state)) fail("conflict", "already_final", `job ${id} is already ${job.state}`);
    if (job.state === "queued") setState(id, "cancelled", { finished_at: now() });
    else if (running?.id === id) {
      running.cancelled = true;
      running.worker?.cancel();
    }
    return describe(id);
  }

  // ------------------------------------------------------------ publishing

  async function publish(id: number, by: Address): Promise<Published> {
    const job = requireJob(id);
    requireCreator(job, by);
    if (job.state !== "done") fail("conflict", "not_done", `job ${id} is ${job.state}: only a finished job can be published`);
    if (job.model_id) fail("conflict", "already_published", `job ${id} is already published as model ${job.model_id}`);
    if (!options.publisher) fail("unavailable", "publishing_disabled", "this attestor has no attestor key to sign provenance with");
    const model = baseModelOf(job);
    const out = join(folder(id), "out");
    const adapterFile = [join(out, "adapter", "adapter_model.safetensors"), join(out, "model", "model.safetensors")].find(existsSync);
    if (!adapterFile) fail("internal", "artifact_missing", `job ${id}'s adapter is not in ${out}`);
    const manifest = parseManifest(readFileSync(join(folder(id), "manifest.json")));
    if ("error" in manifest) fail("internal", "manifest_unreadable", manifest.error);
    // Nothing of this machine in what is published: the base model by its name, the job's files relative to its folder.
    const local = { [model.path]: model.name, [folder(id)]: "." };
    const readJson = (path: string) =>
      existsSync(path) ? portable(JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>, local) : undefined;
    const adapterConfig = readJson(join(out, "adapter", "adapter_config.json"));
    const parentModel = job.parent_job ? row(job.parent_job)?.model_id : undefined;
    const published = await publishModel(
      { ...options.publisher!, chain: options.chain, store: options.store, chainId: options.chainId },
      {
        baseModel: { name: model.name, weightsHash: await weightsHash(model) },
        adapter: readFileSync(adapterFile!),
        training: {
          spec: readJson(join(folder(id), "spec.json")),
          settings: JSON.parse(job.settings),
          adapterConfig: adapterConfig && withBaseModel(adapterConfig, model.name),
          trainingManifest: readJson(join(out, "training_manifest.json")),
        },
        metrics: JSON.parse(job.metrics ?? "{}") as Record<string, unknown>,
        manifest: manifest as Exclude<typeof manifest, { error: string }>,
        creator: job.creator as Address,
        ...(parentModel ? { parentId: BigInt(parentModel) } : {}),
      },
    );
    db.prepare("UPDATE train_job SET model_id = ? WHERE id = ?").run(published.modelId.toString(), id);
    emit(id, { type: "status", state: "done", modelId: published.modelId.toString() });
    return published;
  }

  // ------------------------------------------------------------ evaluating and chatting

  /**
   * Held-out loss and perplexity of the fine-tuned adapter and of its base model on the job's dataset:
   * its validation split when it had one (`heldOut`), else the whole dataset it trained on. Refused while
   * a training job runs; otherwise it waits its turn for the accelerator.
   */
  async function evaluate(id: number, by: Address) {
    const job = requireJob(id);
    requireCreator(job, by);
    if (job.state !== "done") fail("conflict", "not_done", `job ${id} is ${job.state}: only a finished job can be evaluated`);
    if (running) fail("conflict", "busy", `job ${running.id} is training; evaluate when it has finished`);
    const model = baseModelOf(job);
    const settings = JSON.parse(job.settings) as JobSettings;
    const split = settings.data?.validation_split ?? 0;
    const dataset = join(folder(id), "dataset.jsonl");
    const data = split > 0 ? { train: dataset, validation_split: split } : { eval: dataset };
    return options.accelerator.use({ purpose: `evaluate job ${id}` }, async () => {
      const results: Record<string, Record<string, number>> = {};
      for (const [name, adapter] of [
        ["adapter", adapterDir(id)],
        ["base", undefined],
      ] as const) {
        let metrics: Record<string, number> | undefined;
        const worker = await startWorker(
          "evaluate",
          {
            model: { path: model.path },
            data: { ...data, cutoff_len: settings.data?.cutoff_len ?? 1024 },
            training: { seed: (settings.training?.seed as number | undefined) ?? 42 },
            output_dir: join(folder(id), `eval-${name}`),
            ...(adapter ? { adapter } : {}),
          },
          {
            onMessage: (message) => {
              if (message.type === "eval") metrics = message.metrics;
            },
            onLog: (line) => log(`job ${id} evaluate: ${line}`),
          },
        );
        const { code, error } = await worker.exited;
        if (code !== 0 || !metrics) fail("internal", error?.code ?? "evaluate_failed", error?.message ?? `evaluation exited with ${code}`);
        results[name] = metrics!;
      }
      const records = readFileSync(dataset, "utf8").split("\n").filter(Boolean).length;
      return { job: id, heldOut: split > 0, records, adapter: results.adapter!, base: results.base! };
    });
  }

  /** The base model and adapter a chat request names: a finished job's, or a catalog model alone. */
  function chatTarget(request: { job?: unknown; baseModel?: unknown }): { model: BaseModel; adapter?: { name: string; path: string } } {
    if (request.job !== undefined && request.job !== null) {
      const job = requireJob(Number(request.job));
      if (job.state !== "done") fail("conflict", "not_done", `job ${job.id} is ${job.state}: only a finished job's adapter can chat`);
      const model = baseModelOf(job);
      return { model, adapter: { name: `job-${job.id}`, path: adapterDir(job.id) } };
    }
    if (typeof request.baseModel !== "string") fail("invalid", "invalid_request", "name a finished job (job) or a base model (baseModel)");
    return {
      model:
        readModel(options.modelsDir, request.baseModel as string) ??
        fail("not_found", "unknown_model", `no base model "${request.baseModel}" in the catalog`),
    };
  }

  // ------------------------------------------------------------ reading

  function describe(id: number) {
    const job = requireJob(id);
    return {
      id: job.id,
      creator: job.creator,
      baseModel: job.base_model,
      datanets: JSON.parse(job.datanets) as string[],
      datasetBlock: job.dataset_block,
      settings: JSON.parse(job.settings) as JobSettings,
      parentJob: job.parent_job,
      state: job.state,
      error: job.error_code ? { code: job.error_code, message: job.error } : null,
      metrics: job.metrics ? (JSON.parse(job.metrics) as Record<string, number>) : null,
      modelId: job.model_id,
      createdAt: job.created_at,
      startedAt: job.started_at,
      finishedAt: job.finished_at,
    };
  }

  const list = (creator?: Address) =>
    (creator
      ? (db.prepare("SELECT id FROM train_job WHERE creator = ? ORDER BY id DESC LIMIT 100").all(creator.toLowerCase()) as { id: number }[])
      : (db.prepare("SELECT id FROM train_job ORDER BY id DESC LIMIT 100").all() as { id: number }[])
    ).map(({ id }) => describe(id));

  /** Stored events after `after`, then live ones until the job ends; returns an unsubscribe. */
  function subscribe(id: number, after: number, listener: (event: JobEvent) => void, onEnd: () => void) {
    requireJob(id);
    const stored = db.prepare("SELECT seq, message FROM train_event WHERE job = ? AND seq > ? ORDER BY seq").all(id, after) as {
      seq: number;
      message: string;
    }[];
    for (const event of stored) listener({ seq: event.seq, message: JSON.parse(event.message) });
    const isFinal = () => FINAL.includes(requireJob(id).state);
    if (isFinal()) {
      onEnd();
      return () => {};
    }
    const live = (event: JobEvent) => {
      listener(event);
      if (event.message.type === "status" && FINAL.includes((event.message as JobStatusMessage).state)) onEnd();
    };
    if (!subscribers.has(id)) subscribers.set(id, new Set());
    subscribers.get(id)!.add(live);
    return () => subscribers.get(id)?.delete(live);
  }

  const models = () => listModels(options.modelsDir).map(({ path: _path, ...model }) => model);

  async function stop() {
    stopped = true;
    // A running worker is left to checkpoint and exit; its job resumes at the next start.
    if (running?.worker) {
      running.worker.cancel();
      await running.worker.exited;
    }
  }

  return { create, cancel, publish, evaluate, chatTarget, describe, list, subscribe, models, recover, stop };
}

/** The job's own status changes, in the same stream as the worker's messages. */
export type JobStatusMessage = {
  type: "status";
  state: JobState;
  code?: string | null;
  message?: string | null;
  dataset?: { contributions: number; root: string; skipped: unknown[] };
  modelId?: string;
};

/** A line the worker logged (stderr), in order with its messages. */
export type JobLogMessage = { type: "log"; line: string };

export type JobMessage = WorkerMessage | JobStatusMessage | JobLogMessage;
export type JobEvent = { seq: number; message: JobMessage };

export type Factory = ReturnType<typeof createFactory>;
