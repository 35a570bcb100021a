/**
 * The auditor's verifier on the command line (`npm run verify`); the only module of this package that uses Node:
 *   npm run verify -- model <id> [--json]
 *   npm run verify -- contribution <0x…id> [--json]
 * From the chain and an IPFS gateway only: PROVENA_DEPLOYMENT (deployment file, default data/deployment.json),
 * PROVENA_RPC_URL (default the deployment's rpcUrl), PROVENA_IPFS_GATEWAY (default http://127.0.0.1:8788).
 * Prints one line per check (✓/✗) and a summary; with --json, then the report as ONE JSON object on the last
 * line. Exit 0 when every check holds, 1 when one fails (an unknown id fails the "registered"/"exists"
 * check), 2 for bad usage (a malformed id) or when the deployment or chain cannot be reached.
 */
import { parseArgs } from "node:util";
import type { Deployment } from "@provena/common";
import { deploymentPath, loadDeployment } from "@provena/common/node";
import { createVerifier, DEFAULT_GATEWAY, type CreateVerifierParameters } from "./createVerifier.js";
import { VerifyError } from "./errors.js";
import { summaryLines } from "./report/summary.js";
import { verifyContribution } from "./verifyContribution.js";
import { verifyModel } from "./verifyModel.js";

const USAGE = "usage: npm run verify -- model <id> [--json]\n       npm run verify -- contribution <0x…id> [--json]";

type Env = Record<string, string | undefined>;

/** Options from the environment: PROVENA_DEPLOYMENT, PROVENA_RPC_URL, PROVENA_IPFS_GATEWAY. */
function optionsFromEnv(env: Env): CreateVerifierParameters {
  let deployment: Deployment;
  try {
    deployment = loadDeployment(deploymentPath(env));
  } catch (error) {
    throw new VerifyError("unreachable", (error as Error).message, {
      details: `PROVENA_DEPLOYMENT=${env.PROVENA_DEPLOYMENT ?? "(unset)"}`,
      cause: error,
    });
  }
  return {
    deployment,
    ...(env.PROVENA_RPC_URL ? { rpcUrl: env.PROVENA_RPC_URL } : {}),
    gateway: env.PROVENA_IPFS_GATEWAY || DEFAULT_GATEWAY,
  };
}

/** Runs the command; resolves to the exit code. */
export async function main(args: string[] = process.argv.slice(2), env: Env = process.env): Promise<number> {
  let json = args.includes("--json");
  try {
    const { values, positionals } = parseArgs({ args, options: { json: { type: "boolean", default: false } }, allowPositionals: true });
    json = values.json!;
    const [kind, id, ...rest] = positionals;
    if (!kind || !id || rest.length > 0 || (kind !== "model" && kind !== "contribution")) throw new VerifyError("usage", USAGE);
    const ctx = await createVerifier(optionsFromEnv(env));
    const report = kind === "model" ? await verifyModel(ctx, id) : await verifyContribution(ctx, id);
    for (const line of summaryLines(report, `chain ${ctx.deployment.chainId} at ${ctx.rpcUrl}, gateway ${ctx.gateway}`)) console.log(line);
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
