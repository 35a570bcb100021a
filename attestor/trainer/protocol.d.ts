// Generated from attestor/trainer/provena_trainer/protocol.schema.json by attestor/trainer/tools/schema_ts.py.
// Do not edit: change the schema and regenerate (a test checks they match).

/** First line of every run, once the model and data are loaded. */
export interface StartedMessage {
  type: "started";
  mode: "train" | "evaluate" | "predict" | "serve";
  model: string;
  family: string;
  method: "lora" | "qlora" | "full" | "none";
  device: string;
  dtype: string;
  total_params?: number;
  trainable_params?: number;
  total_steps?: number;
  train_records?: number;
  eval_records?: number;
  /** supervised (label) tokens per epoch */
  train_tokens?: number;
  truncated_records?: number;
  resumed_from_step?: number;
  /** bytes the frozen base's weights occupy in memory (4-bit packed under QLoRA); train only */
  base_weights_bytes?: number;
}

/** Something the user should know that does not stop the run. */
export interface WarningMessage {
  type: "warning";
  code: "records_truncated" | "records_skipped" | "cutoff_clamped";
  message: string;
  count?: number;
}

/** One optimizer step (every logging_steps). */
export interface StepMessage {
  type: "step";
  step: number;
  total_steps: number;
  epoch: number;
  loss: number | null;
  learning_rate: number;
  grad_norm?: number | null;
  tokens_per_s: number;
  eta_s: number;
}

/** Metrics on a held-out split. */
export interface EvalMessage {
  type: "eval";
  step: number | null;
  split: "eval" | "predict";
  records?: number;
  /** metric name -> value: loss, perplexity, rouge1, rouge2, rougeL, bleu4 (0..1), ... */
  metrics: Record<string, number>;
}

/** A resumable checkpoint was written (resume_from accepts path). */
export interface CheckpointMessage {
  type: "checkpoint";
  step: number;
  path: string;
  /** written on cancellation */
  final?: boolean;
}

/** A file of the result, with its SHA-256. */
export interface ArtifactMessage {
  type: "artifact";
  kind: "adapter_weights" | "adapter_config" | "model_weights" | "model_config" | "manifest" | "predictions";
  path: string;
  sha256: string;
  bytes: number;
}

/** Last line of a successful run. */
export interface DoneMessage {
  type: "done";
  /** check: the spec was only parsed and validated for training (nothing loaded) */
  mode: "train" | "evaluate" | "predict" | "serve" | "check";
  steps?: number;
  elapsed_s: number;
  output_dir?: string | null;
  /** metric name -> value: loss, perplexity, rouge1, rouge2, rougeL, bleu4 (0..1), ... */
  metrics?: Record<string, number>;
}

/** Last line of a failed run (or a failed serve request, with its id). */
export interface ErrorMessage {
  type: "error";
  code: "invalid_spec" | "invalid_hyperparameter" | "model_not_found" | "model_load_failed" | "data_not_found" | "invalid_record" | "empty_dataset" | "no_target_modules" | "qlora_unsupported" | "model_too_large" | "checkpoint_not_found" | "adapter_not_found" | "cancelled" | "out_of_memory" | "bad_request" | "internal_error";
  message: string;
  /** spec field at fault */
  field?: string;
  /** serve request id */
  id?: string;
  /** with code cancelled: the final checkpoint */
  checkpoint?: string;
}

/** Serve mode: the base model and adapters are loaded; requests may come. */
export interface ReadyMessage {
  type: "ready";
  model: string;
  family: string;
  adapters: Array<string>;
}

/** Serve mode: streamed text of a reply. */
export interface TokenMessage {
  type: "token";
  id: string;
  text: string;
}

/** Serve mode: end of a reply, with its full text. */
export interface ReplyMessage {
  type: "reply";
  id: string;
  adapter: string | null;
  text: string;
  finish_reason: "stop" | "eos" | "length";
  prompt_tokens: number;
  completion_tokens: number;
  elapsed_s: number;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** One line on the serve worker's stdin. op chat (default) needs messages or prompt; load_adapter needs name and path; cancel stops the chat request with this id (its reply ends with a cancelled error; the worker goes on serving); shutdown ends the worker. */
export interface ServeRequest {
  id: string;
  op?: "chat" | "load_adapter" | "cancel" | "shutdown";
  messages?: Array<ChatMessage>;
  /** raw text, no chat template */
  prompt?: string;
  /** adapter name; null or absent: the base model */
  adapter?: string | null;
  name?: string;
  path?: string;
  max_new_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  repetition_penalty?: number;
  stop?: Array<string>;
  seed?: number | null;
}

/** One run of the worker: every section has defaults, so a spec needs little more than a model path, a dataset and an output directory. */
export interface JobSpec {
  /** the base model */
  model: ModelArgs;
  /** the records */
  data?: DataArgs;
  /** what is trained */
  finetuning?: FinetuningArgs;
  /** the optimization loop */
  training?: TrainingArgs;
  /** sampling */
  generation?: GenerationArgs;
  /** extra exports */
  export?: ExportArgs;
  /** serve mode's adapters */
  serve?: ServeArgs;
  /** where artifacts, checkpoints and the manifest go; required for train, evaluate and predict (default: null) */
  output_dir?: string | null;
  /** checkpoint directory (from a checkpoint message) to continue an interrupted run of the same spec (default: null) */
  resume_from?: string | null;
  /** earlier adapter: the starting point of a refinement (train) or the adapter under test (evaluate, predict) (default: null) */
  adapter?: string | null;
}

/** The base model. */
export interface ModelArgs {
  /** Hugging Face-format local directory (config.json + weights + tokenizer files), or a hub id when the machine is online */
  path: string;
  /** run the model's own Python code (needed by some families, e.g. ChatGLM) (default: false) */
  trust_remote_code?: boolean;
}

/** The records and how they become token rows. */
export interface DataArgs {
  /** JSON-lines (or a JSON array) of {"text"} or {"messages": [{"role", "content"}]}; required for train (default: null) */
  train?: string | null;
  /** held-out records; when absent, validation_split carves them out of train (default: null) */
  eval?: string | null;
  /** records with a prompt ({"prompt"}, or {"messages"} ending in a user turn) and a "reference"; required for predict (default: null) */
  predict?: string | null;
  /** tokens per record; longer records are truncated (and reported); at most the model's context (default: 1024) */
  cutoff_len?: number;
  /** concatenate records into full rows of cutoff_len tokens (no padding waste) (default: false) */
  packing?: boolean;
  /** fraction of the training records held out for evaluation (default: 0.0) */
  validation_split?: number;
}

/** What is trained. */
export interface FinetuningArgs {
  /** qlora: 4-bit NF4 base (bitsandbytes, on CUDA or CPU) (default: "lora") */
  method?: "lora" | "qlora" | "full";
  /** rank of the LoRA matrices (default: 8) */
  lora_rank?: number;
  /** LoRA scaling numerator (the update is scaled by lora_alpha / lora_rank) (default: 16.0) */
  lora_alpha?: number;
  /** dropout on the LoRA input (default: 0.05) */
  lora_dropout?: number;
  /** null: the family's default modules; ["all-linear"]: every linear layer; or module names (default: null) */
  lora_target?: Array<string> | null;
}

/** The optimization loop. */
export interface TrainingArgs {
  /** peak learning rate (AdamW) (default: 0.0002) */
  learning_rate?: number;
  /** passes over the training records; must be > 0 unless max_steps is set (default: 3.0) */
  epochs?: number;
  /** when > 0, the number of optimizer steps, overriding epochs (default: 0) */
  max_steps?: number;
  /** records per micro-batch (default: 4) */
  batch_size?: number;
  /** micro-batches per optimizer step (default: 1) */
  gradient_accumulation_steps?: number;
  /** learning-rate decay after warm-up (default: "cosine") */
  scheduler?: "cosine" | "linear" | "constant";
  /** fraction of the steps spent warming up (default: 0.0) */
  warmup_ratio?: number;
  /** when > 0, warm-up steps, overriding warmup_ratio (default: 0) */
  warmup_steps?: number;
  /** AdamW weight decay, on matrices only (default: 0.0) */
  weight_decay?: number;
  /** AdamW first-moment decay (default: 0.9) */
  adam_beta1?: number;
  /** AdamW second-moment decay (default: 0.999) */
  adam_beta2?: number;
  /** AdamW denominator term (default: 1e-08) */
  adam_epsilon?: number;
  /** gradient clipping norm; 0 disables clipping (default: 1.0) */
  max_grad_norm?: number;
  /** seed of initialization, shuffling and dropout (default: 42) */
  seed?: number;
  /** a step message every this many steps (default: 1) */
  logging_steps?: number;
  /** evaluate every this many steps; 0: only at the end (when there is an evaluation set) (default: 0) */
  eval_steps?: number;
  /** checkpoint every this many steps (0, or at least 5); 0: only on cancellation (default: 0) */
  save_steps?: number;
  /** checkpoints kept in output_dir; older ones are deleted as new ones are written (resume takes the latest) (default: 2) */
  save_total_limit?: number;
}

/** Sampling, for predict and as serve's defaults. */
export interface GenerationArgs {
  /** tokens generated at most (default: 256) */
  max_new_tokens?: number;
  /** 0 means greedy decoding (default: 0.7) */
  temperature?: number;
  /** nucleus sampling mass (default: 0.9) */
  top_p?: number;
  /** sample among this many likeliest tokens; 0: no limit (default: 50) */
  top_k?: number;
  /** 1 means none (default: 1.0) */
  repetition_penalty?: number;
  /** strings that end a reply (default: []) */
  stop?: Array<string>;
  /** sampling seed; null draws from the running generator (default: null) */
  seed?: number | null;
}

/** What a training run writes besides the adapter. */
export interface ExportArgs {
  /** also write base + adapter merged into plain weights (model.safetensors) (default: false) */
  merge?: boolean;
}

/** Serve mode's adapters. */
export interface ServeArgs {
  /** name -> adapter directory, all loaded over the one base model (default: {}) */
  adapters?: Record<string, string>;
}

/** What a job's creator chooses (POST /jobs settings): the spec's hyperparameter sections, never paths; the attestor fills in the rest of the JobSpec. */
export interface JobSettings {
  finetuning?: FinetuningArgs;
  training?: TrainingArgs;
  data?: DataSettings;
  export?: ExportArgs;
}

/** The data knobs of JobSettings: the files are the attestor's. */
export interface DataSettings {
  /** tokens per record; longer records are truncated (and reported); at most the model's context (default: 1024) */
  cutoff_len?: number;
  /** concatenate records into full rows of cutoff_len tokens (no padding waste) (default: false) */
  packing?: boolean;
  /** fraction of the training records held out for evaluation (default: 0.0) */
  validation_split?: number;
}

/** One JSON line on the training worker's stdout. Requests of serve mode: $defs/ServeRequest; the job spec: $defs/JobSpec. */
export type WorkerMessage = StartedMessage | WarningMessage | StepMessage | EvalMessage | CheckpointMessage | ArtifactMessage | DoneMessage | ErrorMessage | ReadyMessage | TokenMessage | ReplyMessage;
