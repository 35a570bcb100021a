/**
 * The one generated deployment file: chain, addresses, ABIs and start block, written by
 * `scripts/deploy.ts` from the Hardhat build and read by every other component (`loadDeployment` in
 * `./node.ts` reads it from disk).
 */
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
