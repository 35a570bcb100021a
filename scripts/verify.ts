/**
 * The auditor's verifier (attestor/src/provenance/verify.ts) on the command line:
 *   npm run verify -- model <id> [--json]
 *   npm run verify -- contribution <0x…id> [--json]
 * From the chain and an IPFS gateway only: PROVENA_DEPLOYMENT (deployment file, default data/deployment.json),
 * PROVENA_RPC_URL (default the deployment's rpcUrl), PROVENA_IPFS_GATEWAY (default http://127.0.0.1:8788).
 * Prints one line per check (✓/✗) and a summary; with --json, then the report as ONE JSON object on the last
 * line. Exit 0 when every check holds, 1 when one fails (an unknown id fails the "registered"/"exists"
 * check), 2 for bad usage (a malformed id) or when the deployment or chain cannot be reached.
 */
import { parseArgs } from "node:util";
import {
  createVerifier,
  optionsFromEnv,
  verifyContribution,
  verifyModel,
  VerifyError,
  type Report,
} from "../attestor/src/provenance/verify.js";

const USAGE = "usage: npm run verify -- model <id> [--json]\n       npm run verify -- contribution <0x…id> [--json]";

function print(report: Report, where: string) {
  console.log(`${report.subject} — ${where}`);
  const width = Math.max(...report.checks.map((c) => c.check.length));
  for (const check of report.checks) {
    console.log(`  ${check.ok ? "✓" : "✗"} ${check.check.padEnd(width)}  ${check.detail}`);
  }
  const failed = report.checks.filter((c) => !c.ok);
  console.log(
    failed.length === 0
      ? `VERIFIED: all ${report.checks.length} checks hold`
      : `NOT VERIFIED: ${failed.length} of ${report.checks.length} checks fail (${failed.map((c) => c.check).join(", ")})`,
  );
}

async function main(): Promise<number> {
  let json = process.argv.includes("--json");
  try {
    const { values, positionals } = parseArgs({ options: { json: { type: "boolean", default: false } }, allowPositionals: true });
    json = values.json!;
    const [kind, id, ...rest] = positionals;
    if (!kind || !id || rest.length > 0 || (kind !== "model" && kind !== "contribution")) throw new VerifyError("usage", USAGE);
    const options = optionsFromEnv();
    const ctx = await createVerifier(options);
    const report = kind === "model" ? await verifyModel(ctx, id) : await verifyContribution(ctx, id);
    print(report, `chain ${ctx.deployment.chainId} at ${ctx.rpcUrl}, gateway ${ctx.gateway}`);
    if (json) console.log(JSON.stringify(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    // Bad usage, no deployment, no chain, or the chain failing mid-way: nothing was verified.
    const message = (error as Error).message;
    const usage =
      (error instanceof VerifyError && error.kind === "usage") || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`verify: ${message}${usage && message !== USAGE ? `\n${USAGE}` : ""}`);
    if (json) console.log(JSON.stringify({ ok: false, error: message }));
    return 2;
  }
}

process.exitCode = await main();
