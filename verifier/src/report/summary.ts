import type { Report } from "./types.js";

/**
 * A report as text, one line per check (✓/✗) and a closing VERIFIED / NOT VERIFIED line: what `npm run verify`
 * prints, and what any other front end can show. `where` names the chain and gateway that were asked.
 */
export function summaryLines(report: Report, where: string): string[] {
  const width = Math.max(...report.checks.map((c) => c.check.length));
  const failed = report.checks.filter((c) => !c.ok);
  return [
    `${report.subject} — ${where}`,
    ...report.checks.map((check) => `  ${check.ok ? "✓" : "✗"} ${check.check.padEnd(width)}  ${check.detail}`),
    failed.length === 0
      ? `VERIFIED: all ${report.checks.length} checks hold`
      : `NOT VERIFIED: ${failed.length} of ${report.checks.length} checks fail (${failed.map((c) => c.check).join(", ")})`,
  ];
}
