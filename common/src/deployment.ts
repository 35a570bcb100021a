/**
 * The one generated deployment file: chain, addresses, ABIs and start block, written by
 * `scripts/deploy.ts` from the Hardhat build and read by every other component.
 * Path: $PROVENA_DEPLOYMENT, default `data/deployment.json` under the repository.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Abi, Address } from "viem";

export type DeployedContract = { address: Address; abi: Abi; startBlock: number };

export type Deployment = {
  network: string;
  chainId: number;
  /** Only for the local node: where to reach it (a remote RPC URL may hold a key, so it is not written). */
  rpcUrl?: string;
  wsUrl?: string;
  startBlock: number;
  deployedAt: string;
  contracts: { DatanetRegistry: DeployedContract; ContributionLedger: DeployedContract; ModelRegistry: DeployedContract };
};

/** Paths take the environment to read (the current process's by default), so a launcher can resolve a child's. */
type Env = Record<string, string | undefined>;

export const dataDir = (env: Env = process.env): string => env.PROVENA_DATA_DIR ?? fileURLToPath(new URL("../../data", import.meta.url));

/** Content named by CID, one file per CID (the seed writes here; the indexer reads Datanet metadata here). */
export const contentDir = (env: Env = process.env): string => env.PROVENA_CONTENT_DIR ?? `${dataDir(env)}/content`;

export const deploymentPath = (env: Env = process.env): string => env.PROVENA_DEPLOYMENT ?? `${dataDir(env)}/deployment.json`;

export const loadDeployment = (path = deploymentPath()): Deployment => {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new Error(`no deployment file at ${path}: run \`npm start\` (local) or \`npm run deploy -- --network l2\``);
  }
  return JSON.parse(text) as Deployment;
};
