/**
 * Addresses, chain and start block come from the generated deployment file; ABIs from the Hardhat build
 * (checked against the deployment's, so a stale deployment is refused rather than mis-decoded).
 */
import { createConfig } from "ponder";
import { contributionLedgerAbi, datanetRegistryAbi, modelRegistryAbi } from "@provena/common";
import { loadDeployment } from "@provena/common/node";
import { checkAbis, indexerSettings } from "./src/settings";

const deployment = loadDeployment();
checkAbis(deployment, { DatanetRegistry: datanetRegistryAbi, ContributionLedger: contributionLedgerAbi, ModelRegistry: modelRegistryAbi });
const settings = indexerSettings(deployment);

export default createConfig({
  database: settings.database,
  chains: {
    chain: {
      id: settings.chainId,
      rpc: settings.rpcUrl,
      // Polling only, never `ws`: a dropped subscription would stop the indexer without a word (settings.ts).
      pollingInterval: settings.pollingIntervalMs,
    },
  },
  contracts: {
    DatanetRegistry: {
      chain: "chain",
      abi: datanetRegistryAbi,
      address: settings.contracts.DatanetRegistry.address,
      startBlock: settings.contracts.DatanetRegistry.startBlock,
    },
    ContributionLedger: {
      chain: "chain",
      abi: contributionLedgerAbi,
      address: settings.contracts.ContributionLedger.address,
      startBlock: settings.contracts.ContributionLedger.startBlock,
    },
    ModelRegistry: {
      chain: "chain",
      abi: modelRegistryAbi,
      address: settings.contracts.ModelRegistry.address,
      startBlock: settings.contracts.ModelRegistry.startBlock,
    },
  },
});
