import type { Hex } from "viem";

/** What one chat request may ask of the shared device. */
export type ChatLimits = {
  /** The most tokens one reply may ask for (`max_new_tokens`; above: 400). */
  maxNewTokens: number;
  /** The most messages one request may carry (above: 413). */
  maxMessages: number;
  /** The most characters of message text (and stop strings) one request may carry (above: 413). */
  maxPromptChars: number;
  /** How long one reply may take once the worker has it; then it is stopped and the client told. */
  replyTimeoutMs: number;
};

/** Bounds on what one wallet may ask of ModelFactory. */
export type FactoryLimits = {
  /** The most training jobs one wallet may have queued or running at once (the next: 429). */
  jobsPerWallet: number;
  /**
   * How long a training job may take, counted from its first start (a restart's downtime included); then it
   * is stopped after a final checkpoint and fails with job_timeout, so that no job holds the device for ever.
   */
  jobTimeoutMs: number;
  chat: ChatLimits;
};

export const DEFAULT_FACTORY_LIMITS: FactoryLimits = {
  jobsPerWallet: 2,
  jobTimeoutMs: 6 * 3_600_000,
  chat: { maxNewTokens: 512, maxMessages: 64, maxPromptChars: 32_000, replyTimeoutMs: 120_000 },
};

/** ModelFactory: training jobs, publishing, chat. */
export type FactoryConfig = {
  /** Signs model provenance records (needs ATTESTOR_ROLE on ModelRegistry); defaults to the validator's key. */
  attestorKey?: Hex;
  /** ModelFactory's base models: one Hugging Face folder each. */
  modelsDir: string;
  /** Default: DEFAULT_FACTORY_LIMITS. */
  limits?: FactoryLimits;
};
