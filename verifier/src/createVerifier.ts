import type { Deployment } from "@provena/common";
import { createPublicClient, defineChain, http, type PublicClient } from "viem";
import { shortMessage, VerifyError } from "./errors.js";

/** The local attestor, which serves `/ipfs/<cid>`. */
export const DEFAULT_GATEWAY = "http://127.0.0.1:8788";

export type CreateVerifierParameters = {
  deployment: Deployment;
  /** Default: the deployment's `rpcUrl`. */
  rpcUrl?: string;
  /** An HTTP gateway serving `/ipfs/<cid>`. Default: the local attestor. */
  gateway?: string;
  /** Files fetched at once (default 16). */
  concurrency?: number;
  /** Blocks per `eth_getLogs` call to start with (default 50,000; halved when a node refuses a range). */
  logRange?: bigint;
  /** Per file fetch (default 60 s). */
  fetchTimeoutMs?: number;
};

/** What every check reads through: the deployment, one public client on its chain, and the gateway. */
export type Verifier = {
  deployment: Deployment;
  rpcUrl: string;
  gateway: string;
  client: PublicClient;
  concurrency: number;
  logRange: bigint;
  fetchTimeoutMs: number;
};

export type CreateVerifierReturnType = Verifier;

/** Connects to the chain and checks that it is the deployment's. Throws `VerifyError` ("unreachable") if not. */
export async function createVerifier(parameters: CreateVerifierParameters): Promise<CreateVerifierReturnType> {
  const { deployment } = parameters;
  const rpcUrl = parameters.rpcUrl ?? deployment.rpcUrl;
  if (!rpcUrl) throw new VerifyError("unreachable", "no RPC URL: set PROVENA_RPC_URL (the deployment file names none)");
  const chain = defineChain({
    id: deployment.chainId,
    name: deployment.network,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  // Batched JSON-RPC: the leaf checks read hundreds of contributions.
  const client = createPublicClient({
    chain,
    transport: http(rpcUrl, { batch: { batchSize: 100, wait: 0 }, retryCount: 2, timeout: 30_000 }),
  }) as PublicClient;
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (error) {
    throw new VerifyError("unreachable", `cannot reach the chain at ${rpcUrl}: ${shortMessage(error)}`, {
      details: (error as Error)?.message,
      cause: error,
    });
  }
  if (chainId !== deployment.chainId) {
    throw new VerifyError(
      "unreachable",
      `the node at ${rpcUrl} is chain ${chainId}; the deployment (${deployment.network}) is for chain ${deployment.chainId}`,
    );
  }
  const registry = deployment.contracts.ModelRegistry.address;
  const code = await client.getCode({ address: registry }).catch(() => undefined);
  if (!code || code === "0x") {
    throw new VerifyError("unreachable", `no ModelRegistry at ${registry} on the node at ${rpcUrl}: is the deployment file for this node?`);
  }
  return {
    deployment,
    rpcUrl,
    gateway: (parameters.gateway ?? DEFAULT_GATEWAY).replace(/\/+$/, ""),
    client,
    concurrency: parameters.concurrency ?? 16,
    logRange: parameters.logRange ?? 50_000n,
    fetchTimeoutMs: parameters.fetchTimeoutMs ?? 60_000,
  };
}
