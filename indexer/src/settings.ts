/**
 * The indexer's configuration: the deployment file plus environment variables, with defaults for the
 * local stack. Read by `ponder.config.ts` and by the launcher (`scripts/indexer.ts`), as the package's entry point.
 *   PROVENA_DEPLOYMENT  deployment file (default data/deployment.json)
 *   PROVENA_RPC_URL     the chain's HTTP endpoint (default: the one the local node wrote)
 *   PROVENA_POLLING_MS  how often to poll the head block (default 1000). The indexer never subscribes over a
 *                       websocket: a node may drop an `eth_subscribe` silently (Hardhat's does after ~5 minutes)
 *                       and Ponder would then wait forever; polling cannot go quiet that way.
 *   PROVENA_MAX_LAG_BLOCKS / PROVENA_MAX_LAG_MS  GET /lag answers 503 when the indexed block is more than this many
 *                       blocks behind the head, or has not reached a head seen this long ago (defaults 10, 10000)
 *   DATABASE_URL        PostgreSQL; without it, embedded PGlite under PROVENA_PGLITE_DIR (default data/indexer/pglite)
 *   PROVENA_CONTENT_DIR where content named by CID is read from (default data/content)
 *   PROVENA_IPFS_GATEWAY an HTTP gateway for content not found there (optional)
 *   PROVENA_METADATA_TIMEOUT_MS / PROVENA_METADATA_MAX_BYTES / PROVENA_METADATA_CONCURRENCY  the background
 *                       metadata fetcher's bounds (defaults 5000, 65536, 4); PROVENA_METADATA_RETRY_MS how long
 *                       before content not found (or not matching its CID) is asked for again (default 60000)
 */
import { join } from "node:path";
import { keccak256, toHex } from "viem";
import type { Deployment } from "@provena/common";
import { contentDir, dataDir, loadDeployment } from "@provena/common/node";

export type DatabaseSettings = { kind: "pglite"; directory: string } | { kind: "postgres"; connectionString: string };

export type IndexerSettings = {
  chainId: number;
  rpcUrl: string;
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

export const ipfsGateway = (env: Env = process.env): string | undefined => env.PROVENA_IPFS_GATEWAY || undefined;

/** Bounds for GET /lag (the shape lag.ts's LagBounds names). */
export const lagBounds = (env: Env = process.env) => ({
  maxLagBlocks: positiveInt(env, "PROVENA_MAX_LAG_BLOCKS", 10),
  maxLagMs: positiveInt(env, "PROVENA_MAX_LAG_MS", 10_000),
});

/** The background metadata fetcher's settings (the shape metadata.ts's MetadataSettings names). */
export const metadataSettings = (env: Env = process.env) => {
  const gateway = ipfsGateway(env);
  return {
    contentDir: contentDir(env),
    ...(gateway ? { gateway } : ({} as { gateway?: string })),
    timeoutMs: positiveInt(env, "PROVENA_METADATA_TIMEOUT_MS", 5_000),
    maxBytes: positiveInt(env, "PROVENA_METADATA_MAX_BYTES", 65_536),
    concurrency: positiveInt(env, "PROVENA_METADATA_CONCURRENCY", 4),
    retryMs: positiveInt(env, "PROVENA_METADATA_RETRY_MS", 60_000),
  };
};

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
  const { DatanetRegistry: registry, ContributionLedger: ledger } = deployment.contracts;
  const identity = keccak256(
    toHex(`${deployment.chainId}:${registry.address}:${ledger.address}:${deployment.startBlock}:${deployment.deployedAt}`),
  );
  return {
    chainId: deployment.chainId,
    rpcUrl,
    pollingIntervalMs: positiveInt(env, "PROVENA_POLLING_MS", 1000),
    database: env.DATABASE_URL
      ? { kind: "postgres", connectionString: env.DATABASE_URL }
      : { kind: "pglite", directory: env.PROVENA_PGLITE_DIR ?? join(dataDir(env), "indexer", "pglite") },
    contracts: deployment.contracts,
    defaultSchema: `provena_${deployment.chainId}_${identity.slice(2, 14)}`,
  };
};
