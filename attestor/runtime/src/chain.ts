/**
 * The attestor's view of the chain: one viem public client and the deployment's two contracts.
 * Everything the chain can answer (terms, allowance, duplicates, validator sets) is read from it,
 * never taken from a client's word.
 */
import { contributionLedgerAbi, datanetRegistryAbi, type Deployment } from "@provena/common";
import { createPublicClient, defineChain, http, type Address, type Hex } from "viem";

export const chainOf = (deployment: Deployment, rpcUrl: string) =>
  defineChain({
    id: deployment.chainId,
    name: deployment.network,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });

export function connect(deployment: Deployment, rpcUrl: string) {
  const chain = chainOf(deployment, rpcUrl);
  // Calls made in the same turn of the event loop (concurrent uploads' reads) go as one JSON-RPC batch: a
  // tenth of the HTTP requests under load. 64 per batch stays within what hosted RPC endpoints accept.
  const client = createPublicClient({ chain, transport: http(rpcUrl, { retryCount: 2, batch: { batchSize: 64, wait: 0 } }) });
  const registry = { address: deployment.contracts.DatanetRegistry.address, abi: datanetRegistryAbi } as const;
  const ledger = { address: deployment.contracts.ContributionLedger.address, abi: contributionLedgerAbi } as const;
  return {
    chain,
    client,
    registry,
    ledger,
    terms: (datanetId: bigint, contributor: Address) =>
      client.readContract({ ...registry, functionName: "contributionTerms", args: [datanetId, contributor] }),
    allowance: async (contributor: Address, datanetId: bigint) => {
      const [bytesLeft, filesLeft, resetsAt] = await client.readContract({
        ...ledger,
        functionName: "allowance",
        args: [contributor, datanetId],
      });
      return { bytesLeft: Number(bytesLeft), filesLeft: Number(filesLeft), resetsAt: Number(resetsAt) };
    },
    contribution: (id: Hex) => client.readContract({ ...ledger, functionName: "getContribution", args: [id] }),
    hasVoted: (id: Hex, validator: Address) => client.readContract({ ...ledger, functionName: "hasVoted", args: [id, validator] }),
    validatorQuorum: (datanetId: bigint, validator: Address) =>
      client.readContract({ ...registry, functionName: "validatorQuorum", args: [datanetId, validator] }),
  };
}

export type ChainView = ReturnType<typeof connect>;
