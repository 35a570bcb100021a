import { logsInRanges } from "@provena/common";
import type { Verifier } from "../createVerifier.js";

/** Logs over [from, to] in ranges of the verifier's `logRange` blocks (halved where a node refuses one). */
export const logsOver = <T>(
  ctx: Verifier,
  from: bigint,
  to: bigint,
  get: (fromBlock: bigint, toBlock: bigint) => Promise<T[]>,
): Promise<T[]> => logsInRanges(from, to, ctx.logRange, get);
