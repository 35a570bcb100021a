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

export const usageOn = (usage: Usage | undefined, day: number): Usage =>
  usage && usage.day === day ? usage : { day, bytes: 0, files: 0 };

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

export const allowanceLeft = (
  state: LimitState,
  datanetCap: number,
  limits: ProtocolLimits,
  now: number,
): Allowance => {
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
  if (sizes.length === 0) return { ok: false, error: "EmptyBatch" };
  if (sizes.length > MAX_BATCH) return { ok: false, error: "BatchTooLarge", count: sizes.length };
  for (const [index, size] of sizes.entries()) {
    if (size === 0) return { ok: false, error: "EmptyFile", index };
    if (size > limits.maxFileBytes) return { ok: false, error: "FileTooLarge", index, size, max: limits.maxFileBytes };
  }
  const day = utcDay(now);
  const left = remaining(state, datanetCap, limits, day);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (sizes.length > left.files) {
    return { ok: false, error: "DailyFileLimitExceeded", requested: sizes.length, remaining: left.files };
  }
  if (total > left.bytes) return { ok: false, error: "DailyByteLimitExceeded", requested: total, remaining: left.bytes };
  if (total > left.datanetBytes) {
    return { ok: false, error: "DatanetByteCapExceeded", requested: total, remaining: left.datanetBytes };
  }
  const { global, local } = left;
  return {
    ok: true,
    global: { day, bytes: global.bytes + total, files: global.files + sizes.length },
    datanet: { day, bytes: local.bytes + total, files: local.files + sizes.length },
  };
};
