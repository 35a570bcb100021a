import { Status, statusName } from "@provena/common";
import { typeName, contributedChecks, statusChecks } from "./checks/contribution.js";
import type { Verifier } from "./createVerifier.js";
import { contributionFacts } from "./facts/contribution.js";
import { parseContributionId } from "./ids.js";
import { fail, pass, report } from "./report/build.js";
import type { Check, Report } from "./report/types.js";

export type VerifyContributionReturnType = Report;

/**
 * Verifies one contribution: it exists, its `Contributed` event, its content, its status against the ledger's
 * logs, and its votes against the quorum. Throws `VerifyError` for a malformed id.
 */
export async function verifyContribution(ctx: Verifier, idInput: string): Promise<VerifyContributionReturnType> {
  const id = parseContributionId(idInput);
  const ledger = ctx.deployment.contracts.ContributionLedger.address;
  const subject = `contribution ${id}`;
  const facts: Report["facts"] = { contribution: id, ledger, chainId: ctx.deployment.chainId };
  const head = await ctx.client.getBlockNumber({ cacheTime: 0 });
  const f = (await contributionFacts(ctx, [id], head)).get(id)!;
  if (f.stored.status === Status.None)
    return report(subject, facts, [fail("exists", `no contribution ${id} in ContributionLedger ${ledger}`)]);

  const type = typeName(f.stored.fileType);
  const status = statusName(f.stored.status);
  const checks: Check[] = [pass("exists", `in Datanet ${f.stored.datanetId}, by ${f.stored.contributor}, ${type}, ${status}`)];
  Object.assign(facts, { datanetId: f.stored.datanetId, contributor: f.stored.contributor, type, status });
  checks.push(...(await contributedChecks(ctx, f, facts)));
  checks.push(...statusChecks(f, facts));
  return report(subject, facts, checks);
}
