/**
 * The indexer's configuration: the deployment file plus environment variables, with defaults for the
 * local stack. Read by `ponder.config.ts` and by the launcher (`scripts/indexer.ts`), as the package's entry point.
 *   PROVENA_DEPLOYMENT  deployment file (default data/deployment.json)
 *   PROVENA_RPC_URL / PROVENA_WS_URL  the chain's endpoints (default: those the local node wrote)
 *   PROVENA_POLLING_MS  how often to poll for blocks when no websocket is given (default 1000)
 *   DATABASE_URL        PostgreSQL; without it, embedded PGlite under PROVENA_PGLITE_DIR (default data/indexer/pglite)
 *   PROVENA_CONTENT_DIR where content named by CID is read from (default data/content)
 *   PROVENA_IPFS_GATEWAY an HTTP gateway for content not found there (optional)
 */
import { join } from "node:path";
import { keccak256, toHex } from "viem";
import type { Deployment } from "@provena/common";
import { dataDir, loadDeployment } from "@provena/common/node";

export { contentDir } from "@provena/common/node";

export type DatabaseSettings = { kind: "pglite"; directory: string } | { kind: "postgres"; connectionString: string };

export type IndexerSettings = {
  chainId: number;
  rpcUrl: string;
  wsUrl?: string;
  pollingIntervalMs: number;
  database: DatabaseSettings;
  contracts: Deployment["contracts"];
  /** A database schema of its own per deployment, so a redeployed chain never resumes another's state. */
  defaultSchema: string;
};

type Env = Record<string, string | undefined>;

const positiveInt = (env: Env, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not "${raw}"`);
  return value;
};

export const ipfsGateway = (): string | undefined => process.env.PROVENA_IPFS_GATEWAY || undefined;

/** Refuses a deployment whose ABIs are not this build's: its events would be mis-decoded. */
export const checkAbis = (deployment: Deployment, built: Record<keyof Deployment["contracts"], unknown>) => {
  for (const name of Object.keys(built) as (keyof Deployment["contracts"])[]) {
    if (JSON.stringify(deployment.contracts[name].abi) !== JSON.stringify(built[name])) {
      throw new Error(`the deployment file's ${name} ABI differs from this build's: redeploy, or index with the build that deployed it`);
    }
  }
};

/** Settings from a deployment and an environment (the current process's by default; the launcher passes its child's). */
export const indexerSettings = (deployment: Deployment = loadDeployment(), env: Env = process.env): IndexerSettings => {
  const rpcUrl = env.PROVENA_RPC_URL || deployment.rpcUrl;
  if (!rpcUrl) throw new Error(`no RPC URL for chain ${deployment.chainId}: set PROVENA_RPC_URL`);
  const wsUrl = env.PROVENA_WS_URL || deployment.wsUrl;
  const { DatanetRegistry: registry, ContributionLedger: ledger } = deployment.contracts;
  const identity = keccak256(
    toHex(`${deployment.chainId}:${registry.address}:${ledger.address}:${deployment.startBlock}:${deployment.deployedAt}`),
  );
  return {
    chainId: deployment.chainId,
    rpcUrl,
    ...(wsUrl ? { wsUrl } : {}),
    pollingIntervalMs: positiveInt(env, "PROVENA_POLLING_MS", 1000),
    database: env.DATABASE_URL
      ? { kind: "postgres", connectionString: env.DATABASE_URL }
      : { kind: "pglite", directory: env.PROVENA_PGLITE_DIR ?? join(dataDir(env), "indexer", "pglite") },
    contracts: deployment.contracts,
    defaultSchema: `provena_${deployment.chainId}_${identity.slice(2, 14)}`,
  };
};
