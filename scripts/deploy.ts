/**
 * Deploys every contract with the Ignition module and writes the deployment file.
 *   npm run deploy -- --network l2 [--out FILE] [--deployment-id ID]
 *   (L2_RPC_URL, L2_DEPLOYER_KEY, optional L2_CHAIN_ID and PROVENA_ADMIN)
 * `npm start` calls `deploy()` on its local node.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import ProvenaModule from "../ignition/modules/Provena.js";
import type { Deployment } from "@provena/common";
import { deploymentPath } from "@provena/common/node";

const CONTRACTS = ["DatanetRegistry", "ContributionLedger", "ModelRegistry"] as const;

/** The earliest block of the deployment's transactions, from Ignition's journal. */
function startBlockFromJournal(deploymentId: string): number | undefined {
  const journal = join(hre.config.paths.ignition, "deployments", deploymentId, "journal.jsonl");
  if (!existsSync(journal)) return undefined;
  const blocks = readFileSync(journal, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { receipt?: { blockNumber?: number } })
    .flatMap((entry) => (entry.receipt?.blockNumber === undefined ? [] : [entry.receipt.blockNumber]));
  return blocks.length ? Math.min(...blocks) : undefined;
}

export async function deploy(
  connection: NetworkConnection,
  options: { deploymentId?: string; fresh?: boolean; rpcUrl?: string; wsUrl?: string; out?: string } = {},
): Promise<Deployment> {
  const publicClient = await connection.viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  const expected = connection.networkConfig.chainId;
  if (expected !== undefined && expected !== chainId) {
    throw new Error(`${connection.networkName}: the endpoint's chain id is ${chainId}, configured ${expected}; nothing deployed`);
  }
  // Ignition keeps a journal per deployment id, so a re-run resumes rather than deploys twice.
  const deploymentId = options.deploymentId ?? `chain-${chainId}`;
  // A fresh local node has none of an earlier run's contracts: forget that run's journal.
  if (options.fresh) rmSync(join(hre.config.paths.ignition, "deployments", deploymentId), { recursive: true, force: true });
  const before = Number(await publicClient.getBlockNumber());
  const admin = process.env.PROVENA_ADMIN;
  const deployed = await connection.ignition.deploy(ProvenaModule, {
    deploymentId,
    displayUi: false,
    parameters: admin ? { Provena: { admin } } : {},
  });
  const startBlock = startBlockFromJournal(deploymentId) ?? before;
  const contracts = {} as Deployment["contracts"];
  const addresses = {
    DatanetRegistry: deployed.registry.address,
    ContributionLedger: deployed.ledger.address,
    ModelRegistry: deployed.models.address,
  };
  for (const name of CONTRACTS) {
    const artifact = await hre.artifacts.readArtifact(name);
    const address = addresses[name];
    contracts[name] = { address, abi: artifact.abi, startBlock };
  }
  const deployment: Deployment = {
    network: connection.networkName,
    chainId,
    ...(options.rpcUrl ? { rpcUrl: options.rpcUrl } : {}),
    ...(options.wsUrl ? { wsUrl: options.wsUrl } : {}),
    startBlock,
    deployedAt: new Date().toISOString(),
    contracts,
  };
  const out = options.out ?? deploymentPath();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(deployment, null, 2)}\n`);
  return deployment;
}

const argValue = (name: string) => {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const networkName = argValue("--network") ?? "localhost";
  await hre.tasks.getTask("build").run({ quiet: true });
  const connection = await hre.network.create(networkName);
  const deployment = await deploy(connection, { out: argValue("--out"), deploymentId: argValue("--deployment-id") });
  console.log(`Deployed to ${networkName} (chain ${deployment.chainId}) from block ${deployment.startBlock}:`);
  for (const [name, contract] of Object.entries(deployment.contracts)) console.log(`  ${name.padEnd(20)} ${contract.address}`);
  console.log(`Deployment file: ${argValue("--out") ?? deploymentPath()}`);
  await connection.close();
}
