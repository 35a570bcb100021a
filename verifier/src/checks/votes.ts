/** Whether a final contribution's votes carry its status: pure rules over the facts read from the chain. */
import { Status, statusName } from "@provena/common";
import type { Address } from "viem";
import type { ContributionFacts, Vote } from "../facts/contribution.js";

/** Distinct validators who voted `accept` (or reject) before the contribution became final. */
export const decidingVoters = (f: ContributionFacts, accept: boolean): Address[] => {
  const before = (v: Vote) =>
    !f.finalized || v.block < f.finalized.block || (v.block === f.finalized.block && v.logIndex < f.finalized.logIndex);
  return [...new Set(f.votes.filter((v) => v.accept === accept && before(v)).map((v) => v.validator.toLowerCase() as Address))];
};

/** Why the contribution's votes do not carry its final status; undefined when they do (or it is not final). */
export function quorumProblem(f: ContributionFacts): string | undefined {
  if (!f.finalized) return undefined;
  const accept = f.finalized.status === Status.Accepted;
  const voters = decidingVoters(f, accept);
  if (f.quorum === undefined) return `no quorum read at block ${f.finalized.block}`;
  if (voters.length < f.quorum) {
    return `${voters.length} distinct validator(s) voted ${accept ? "accept" : "reject"} before it was finalized ${statusName(f.finalized.status)} at block ${f.finalized.block}; the quorum there was ${f.quorum}`;
  }
  return undefined;
}
