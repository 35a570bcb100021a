/**
 * The daily contribution limits, as pure functions. The contract enforces the same rule
 * (`ContributionLedger._spendAllowance`); the attestor checks uploads with this module and the
 * contract's tests use it as their model. "MB" here is 1,048,576 bytes; "day" is the UTC day.
 */
export const MB = 1_048_576;
export const DAY_SECONDS = 86_400;
export const MAX_BATCH = 20;

export type ProtocolLimits = { maxFileBytes: number; dailyBytes: number; dailyFiles: number };

export const DEFAULT_LIMITS: ProtocolLimits = { maxFileBytes: 5 * MB, dailyBytes: 10 * MB, dailyFiles: 20 };

/** A contributor's usage on one UTC day; a counter from an earlier day reads as zero. */
export type Usage = { day: number; bytes: number; files: number };

export const utcDay = (timestampSeconds: number | bigint): number => Number(BigInt(timestampSeconds) / 86_400n);

export const resetsAt = (timestampSeconds: number | bigint): number => (utcDay(timestampSeconds) + 1) * DAY_SECONDS;

export const usageOn = (usage: Usage | undefined, day: number): Usage => (usage && usage.day === day ? usage : { day, bytes: 0, files: 0 });

/** A Datanet's per-contributor cap: 0 follows the protocol limit, and it never exceeds it. */
export const effectiveDatanetCap = (datanetCap: number, limits: ProtocolLimits): number =>
  datanetCap === 0 || datanetCap > limits.dailyBytes ? limits.dailyBytes : datanetCap;

export type LimitState = {
  /** protocol-wide usage, per contributor */
  global: Usage | undefined;
  /** usage in the Datanet, per contributor */
  datanet: Usage | undefined;
};

export type Allowance = { bytesLeft: number; filesLeft: number; resetsAt: number };

/** Today's usage and what is left under each daily limit: the one rule behind `allowanceLeft` and `checkBatch`. */
const remaining = (state: LimitState, datanetCap: number, limits: ProtocolLimits, day: number) => {
  const global = usageOn(state.global, day);
  const local = usageOn(state.datanet, day);
  return {
    global,
    local,
    files: Math.max(0, limits.dailyFiles - global.files),
    bytes: Math.max(0, limits.dailyBytes - global.bytes),
    datanetBytes: Math.max(0, effectiveDatanetCap(datanetCap, limits) - local.bytes),
  };
};

export const allowanceLeft = (state: LimitState, datanetCap: number, limits: ProtocolLimits, now: number): Allowance => {
  const left = remaining(state, datanetCap, limits, utcDay(now));
  return { bytesLeft: Math.min(left.bytes, left.datanetBytes), filesLeft: left.files, resetsAt: resetsAt(now) };
};

export type LimitViolation =
  | { error: "EmptyBatch" }
  | { error: "BatchTooLarge"; count: number }
  | { error: "EmptyFile"; index: number }
  | { error: "FileTooLarge"; index: number; size: number; max: number }
  | { error: "DailyFileLimitExceeded"; requested: number; remaining: number }
  | { error: "DailyByteLimitExceeded"; requested: number; remaining: number }
  | { error: "DatanetByteCapExceeded"; requested: number; remaining: number };

/** The per-batch and per-file rules, in the contract's order; undefined when the sizes pass them. */
export const checkSizes = (sizes: readonly number[], limits: ProtocolLimits): LimitViolation | undefined => {
  if (sizes.length === 0) return { error: "EmptyBatch" };
  if (sizes.length > MAX_BATCH) return { error: "BatchTooLarge", count: sizes.length };
  for (const [index, size] of sizes.entries()) {
    if (size === 0) return { error: "EmptyFile", index };
    if (size > limits.maxFileBytes) return { error: "FileTooLarge", index, size, max: limits.maxFileBytes };
  }
  return undefined;
};

/** The daily rules against what is left today, in the contract's order. */
export const checkLeft = (
  sizes: readonly number[],
  left: { files: number; bytes: number; datanetBytes: number },
): LimitViolation | undefined => {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (sizes.length > left.files) return { error: "DailyFileLimitExceeded", requested: sizes.length, remaining: left.files };
  if (total > left.bytes) return { error: "DailyByteLimitExceeded", requested: total, remaining: left.bytes };
  if (total > left.datanetBytes) return { error: "DatanetByteCapExceeded", requested: total, remaining: left.datanetBytes };
  return undefined;
};

/**
 * Checks a batch of file sizes against the limits, in the contract's order. Returns the usage after the
 * batch when allowed, or the first violation.
 */
export const checkBatch = (
  state: LimitState,
  sizes: readonly number[],
  datanetCap: number,
  limits: ProtocolLimits,
  now: number,
): { ok: true; global: Usage; datanet: Usage } | ({ ok: false } & LimitViolation) => {
  const day = utcDay(now);
  const left = remaining(state, datanetCap, limits, day);
  const violation = checkSizes(sizes, limits) ?? checkLeft(sizes, left);
  if (violation) return { ok: false, ...violation };
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const { global, local } = left;
  return {
    ok: true,
    global: { day, bytes: global.bytes + total, files: global.files + sizes.length },
    datanet: { day, bytes: local.bytes + total, files: local.files + sizes.length },
  };
};

/**
 * Checks a batch against the allowance `ContributionLedger.allowance` reports (its bytes are already the
 * smaller of the protocol's and the Datanet's), as the gateway does before pinning anything.
 */
export const checkAllowance = (sizes: readonly number[], allowance: Allowance, limits: ProtocolLimits): LimitViolation | undefined =>
  checkSizes(sizes, limits) ??
  checkLeft(sizes, { files: allowance.filesLeft, bytes: allowance.bytesLeft, datanetBytes: allowance.bytesLeft });
