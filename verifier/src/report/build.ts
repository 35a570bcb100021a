/** Building reports and checks. A report holds only when it has checks and every one holds. */
import { shortMessage } from "../errors.js";
import type { Check, LeafFailure, Report } from "./types.js";

export const report = (subject: string, facts: Report["facts"], checks: Check[]): Report => ({
  subject,
  ok: checks.length > 0 && checks.every((c) => c.ok),
  facts,
  checks,
});

export const pass = (check: string, detail: string): Check => ({ check, ok: true, detail });
export const fail = (check: string, detail: string): Check => ({ check, ok: false, detail });

/** Runs a check; an error thrown while checking (RPC failure, …) fails it with that error. */
export async function guarded(check: string, run: () => Promise<Check>): Promise<Check> {
  try {
    return await run();
  } catch (error) {
    return fail(check, `could not be checked: ${shortMessage(error)}`);
  }
}

/** A check over many leaves: passes when none fails; otherwise names each failing leaf (the first `shown`) and why. */
export function overLeaves(check: string, total: number, okDetail: string, failures: LeafFailure[], shown = 10): Check {
  if (failures.length === 0) return pass(check, okDetail);
  const listed = failures.slice(0, shown).map((f) => `${f.id}: ${f.problem}`);
  const more = failures.length > shown ? `; … and ${failures.length - shown} more` : "";
  return { check, ok: false, detail: `${failures.length} of ${total} leaves fail: ${listed.join("; ")}${more}`, failures };
}
