/**
 * How the relay builds its next batch, pure. A batch the chain refuses although its simulation passed (a
 * contract wallet whose answer changes between the two) is split: each verdict in it has one more failure,
 * and verdicts with `f` failures go in batches of at most `maxBatch / 2^f`, so that a poisoned verdict is
 * soon alone and the honest ones land without it; past `maxFailuresFor(maxBatch)` it is dropped.
 */

/** The gas a batch may take: a budget per verdict (an EIP-1271 check of `SIGNATURE_CHECK_GAS`, the vote) and per transaction. */
export const BATCH_GAS = 60_000n;
export const VERDICT_GAS = 140_000n;
export const batchGasBudget = (verdicts: number) => BATCH_GAS + VERDICT_GAS * BigInt(verdicts);

/** The largest batch for verdicts with `failures` refused batches behind them. */
export const batchSizeAfter = (failures: number, maxBatch: number) => Math.max(1, Math.floor(maxBatch / 2 ** failures));

/** Failures after which a verdict is dropped: enough halvings to be alone, then two refusals alone. */
export const maxFailuresFor = (maxBatch: number) => Math.ceil(Math.log2(Math.max(1, maxBatch))) + 2;
