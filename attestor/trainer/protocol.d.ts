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
}

/** Something the user should know that does not stop the run. */
export interface WarningMessage {
  type: "warning";
  code: "records_truncated" | "records_skipped";
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

/** One line on the serve worker's stdin. op chat (default) needs messages or prompt; load_adapter needs name and path; shutdown ends the worker. */
export interface ServeRequest {
  id: string;
  op?: "chat" | "load_adapter" | "shutdown";
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

/** One JSON line on the training worker's stdout. Requests of serve mode: $defs/ServeRequest. */
export type WorkerMessage = StartedMessage | WarningMessage | StepMessage | EvalMessage | CheckpointMessage | ArtifactMessage | DoneMessage | ErrorMessage | ReadyMessage | TokenMessage | ReplyMessage;
