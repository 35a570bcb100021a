/** The checks of one contribution: its `Contributed` item, its content, its status and its votes. */
import { cidFromHex, fileTypeByCode, Status, statusName } from "@provena/common";
import type { Verifier } from "../createVerifier.js";
import type { ContributionFacts } from "../facts/contribution.js";
import { sameHex } from "../hex.js";
import { fail, pass } from "../report/build.js";
import type { Check, Report } from "../report/types.js";
import { contentProblems } from "./content.js";
import { decidingVoters, quorumProblem } from "./votes.js";

/** The file type's name, or its code when the protocol names none. */
export const typeName = (code: number): string => fileTypeByCode(code)?.name ?? `type ${code}`;

/** Its `Contributed` item agrees with the stored contribution, and its content (fetched by CID) with the item. */
export async function contributedChecks(ctx: Verifier, f: ContributionFacts, facts: Report["facts"]): Promise<Check[]> {
  const c = f.contributed;
  if (!c) return [fail("contributed", `no Contributed event in Datanet ${f.stored.datanetId} has an item with this id`)];
  const cid = cidFromHex(c.cid)?.toString() ?? c.cid;
  Object.assign(facts, { block: Number(c.block), transaction: c.tx, sha256: c.contentHash, cid, size: c.size });
  const problems: string[] = [];
  if (!sameHex(c.contributor, f.stored.contributor))
    problems.push(`the event's contributor is ${c.contributor}, the stored one ${f.stored.contributor}`);
  if (c.fileType !== f.stored.fileType) problems.push(`the event's file type is ${c.fileType}, the stored one ${f.stored.fileType}`);
  const what = `Datanet ${c.datanetId}, contributor ${c.contributor}, SHA-256 ${c.contentHash}, CID ${cid}, ${c.size} bytes, ${fileTypeByCode(c.fileType)?.name ?? c.fileType}; block ${c.block}, tx ${c.tx}`;
  const problem = (await contentProblems(ctx, [f])).get(f.id);
  return [
    problems.length ? fail("contributed", `${problems.join("; ")} (${what})`) : pass("contributed", what),
    problem ? fail("content", problem) : pass("content", `the ${c.size} bytes at ${cid} hash to the recorded SHA-256 ${c.contentHash}`),
  ];
}

/** The stored status agrees with the ledger's logs, and the votes carry it (or, pending, match the tally). Pure. */
export function statusChecks(f: ContributionFacts, facts: Report["facts"]): Check[] {
  const fin = f.finalized;
  const stored = f.stored.status;
  if (fin) {
    Object.assign(facts, { finalizedAt: Number(fin.block), score: fin.score });
    const accept = fin.status === Status.Accepted;
    const what = `${statusName(fin.status)} at block ${fin.block}${accept ? ` with score ${(fin.score / 100).toFixed(2)}` : ""}`;
    const problem = quorumProblem(f);
    const voters = decidingVoters(f, accept);
    return [
      fin.status === stored
        ? pass("status", what)
        : fail("status", `the ledger says ${statusName(stored)}, its ContributionFinalized event ${what}`),
      problem
        ? fail("votes", problem)
        : pass(
            "votes",
            `${voters.length} distinct validator(s) voted ${accept ? "accept" : "reject"} (${voters.join(", ")}); the Datanet's quorum at block ${fin.block} was ${f.quorum}`,
          ),
    ];
  }
  const accepts = f.votes.filter((v) => v.accept).length;
  const rejects = f.votes.length - accepts;
  return [
    stored === Status.Pending
      ? pass("status", "pending (not final)")
      : fail("status", `the ledger says ${statusName(stored)} but no ContributionFinalized event was found`),
    accepts === f.stored.accepts && rejects === f.stored.rejects
      ? pass("votes", `${accepts} accept and ${rejects} reject vote(s) so far`)
      : fail(
          "votes",
          `VoteCast events count ${accepts} accept / ${rejects} reject, the ledger's tally ${f.stored.accepts} / ${f.stored.rejects}`,
        ),
  ];
}
