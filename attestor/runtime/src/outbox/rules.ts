/** The outbox's rules, pure: how a stuck transaction's fees are raised, and what a node's refusal means. */

export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** The smaller of two bigints (Math.min takes none). */
export const least = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * The fees of a replacement for a stuck transaction: both raised by `bumpPercent` (nodes want at least
 * 10% to accept a replacement), the max fee never past `maxFeePerGas`. Undefined when already at the cap.
 */
export function bumpedFees(previous: Fees, bounds: { bumpPercent: number; maxFeePerGas: bigint }): Fees | undefined {
  if (previous.maxFeePerGas >= bounds.maxFeePerGas) return undefined;
  const raise = (value: bigint) => value + (value * BigInt(bounds.bumpPercent) + 99n) / 100n;
  const maxFeePerGas = least(raise(previous.maxFeePerGas), bounds.maxFeePerGas);
  return { maxFeePerGas, maxPriorityFeePerGas: least(raise(previous.maxPriorityFeePerGas), maxFeePerGas) };
}

/** Fees as estimated, held under the cap. */
export const cappedFees = (estimated: Fees, maxFeePerGas: bigint): Fees => {
  const maxFee = least(estimated.maxFeePerGas, maxFeePerGas);
  return { maxFeePerGas: maxFee, maxPriorityFeePerGas: least(estimated.maxPriorityFeePerGas, maxFee) };
};

/** The node already has a transaction with this nonce mined: ours, or another sender of the same key. */
export const isNonceTooLow = (message: string) => /nonce too low|nonce has already been used|nonce.*(is|was) (too )?low/i.test(message);

/** The node already holds these bytes, or a version of the same nonce it prefers (ours, earlier): nothing to do. */
export const isAlreadyKnown = (message: string) =>
  /already known|known transaction|already imported|replacement transaction underpriced/i.test(message);

/**
 * The node refused the version for its fees (below the next block's base fee, or the pool's minimum price):
 * it is not in the pool, and the same bytes will be refused again.
 */
export const isFeeTooLow = (message: string) =>
  !isAlreadyKnown(message) &&
  /too low for the next block|less than (the )?block base fee|underpriced|fee too low|gas price too low/i.test(message);

/**
 * The fees to sign again with after the node refused `previous` as too low: the higher of `previous` raised
 * by `bumpPercent` and the node's current estimate, never past `maxFeePerGas`. Undefined when neither is
 * higher than `previous` (already at the cap).
 */
export function raisedFees(previous: Fees, estimate: Fees, bounds: { bumpPercent: number; maxFeePerGas: bigint }): Fees | undefined {
  const fresh = cappedFees(estimate, bounds.maxFeePerGas);
  const bumped = bumpedFees(previous, bounds);
  const best = bumped && bumped.maxFeePerGas >= fresh.maxFeePerGas ? bumped : fresh;
  return best.maxFeePerGas > previous.maxFeePerGas ? best : undefined;
}

/** The gas a transaction is signed with: the estimate with a margin, within the caller's bound. */
export const gasWithMargin = (estimate: bigint, bound: bigint) => {
  return least(estimate + estimate / 5n, bound);
};
