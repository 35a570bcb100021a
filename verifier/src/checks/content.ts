import { MB, mapLimit } from "@provena/common";
import type { Hex } from "viem";
import type { Verifier } from "../createVerifier.js";
import type { ContributionFacts } from "../facts/contribution.js";
import { fetchVerified } from "../fetch/fetchVerified.js";
import { sameHex } from "../hex.js";

const LEAF_FETCH_CAP = 16 * MB;

/**
 * Fetches each contribution's content by the CID on chain (they must have a `Contributed` item); a problem per
 * id, or none when its bytes hash to the recorded SHA-256 and have the recorded size.
 */
export async function contentProblems(ctx: Verifier, list: readonly ContributionFacts[]): Promise<Map<Hex, string | undefined>> {
  const results = await mapLimit(list, ctx.concurrency, async (f) => {
    const c = f.contributed!;
    // Bounded: a file is at most 5 MB on chain; more than the larger of that and its recorded size is refused.
    const fetched = await fetchVerified(ctx, c.cid, Math.max(c.size, LEAF_FETCH_CAP));
    if (!fetched.ok) return fetched.problem;
    if (!sameHex(fetched.sha256, c.contentHash)) {
      return `content hash changed: the ${fetched.bytes.length} bytes at its CID ${fetched.cid} (recorded on chain) have SHA-256 ${fetched.sha256}, the chain records ${c.contentHash}`;
    }
    if (fetched.bytes.length !== c.size)
      return `the content at ${fetched.cid} is ${fetched.bytes.length} bytes, the chain records ${c.size}`;
    return undefined;
  });
  return new Map(list.map((f, i) => [f.id, results[i]]));
}
