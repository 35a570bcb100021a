/** What every service shares, and where the HTTP API listens (built by attestor/src/config.ts from the environment). */
import type { Deployment } from "@provena/common";
import type { Hex } from "viem";

/** Where the HTTP API listens. */
export type ServerConfig = { host: string; port: number };

/** What every service shares: the state folder, the chain, content storage and the transaction sender's key. */
export type RuntimeConfig = {
  /** Everything the attestor keeps: the embedded IPFS node and its database. */
  stateDir: string;
  deployment: Deployment;
  rpcUrl: string;
  /** External Kubo RPC API; unset runs the embedded Helia node. */
  ipfsApiUrl?: string;
  /** The key that pays for `submitVerdicts` and model records; defaults to the validator's. Unset sends nothing. */
  relayerKey?: Hex;
  /** The highest max fee per gas the transaction sender signs, in gwei (fee bumps included). */
  maxFeeGwei: number;
};

export type NearDuplicateConfig = { textSimilarity: number; imageDistanceBits: number };

/** Where the attestor keeps content: an external Kubo node, or the embedded node under its state folder. */
export const storageOf = (config: Pick<RuntimeConfig, "ipfsApiUrl" | "stateDir">) => ({
  ipfsApiUrl: config.ipfsApiUrl,
  heliaDir: `${config.stateDir}/ipfs`,
});
