/**
 * `npm start`: the whole local stack on embedded defaults.
 * A Hardhat node on 127.0.0.1, every contract deployed with Ignition, the deployment file written,
 * a demo seeded (unless --no-seed), the indexer and its API on the chain it made; then it stays up
 * until Ctrl-C.
 *   PROVENA_HOST (127.0.0.1), PROVENA_RPC_PORT (8545; 0 picks a free port), PROVENA_INDEXER_PORT
 *   (42069; 0 picks a free port), PROVENA_DATA_DIR (./data)
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";
import { deploy } from "./deploy.js";
import { exportAbis } from "./export-abis.js";
import { startIndexer, waitUntilIndexed, type RunningIndexer } from "./indexer.js";
import { seedDemo } from "./seed.js";
import { dataDir, deploymentPath } from "@provena/common/deployment";

const host = process.env.PROVENA_HOST ?? "127.0.0.1";
const port = Number(process.env.PROVENA_RPC_PORT ?? 8545);
const seed = !process.argv.includes("--no-seed");
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PROVENA_RPC_PORT must be a port number (0-65535), not "${process.env.PROVENA_RPC_PORT}"`);
  process.exit(2);
}

await hre.tasks.getTask("build").run({ quiet: true });
exportAbis();
const server = await hre.network.createServer("default", host, port);
const listening = await server.listen();
const rpcUrl = `http://${listening.address}:${listening.port}`;
const wsUrl = `ws://${listening.address}:${listening.port}`;

let indexer: RunningIndexer | undefined;
const stop = async (signal: string) => {
  console.log(`\n${signal}: stopping the indexer and the node`);
  await indexer?.stop();
  await server.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop("SIGINT"));
process.once("SIGTERM", () => void stop("SIGTERM"));

const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
const deployment = await deploy(connection, { deploymentId: "local", fresh: true, rpcUrl, wsUrl });
const summary = seed ? await seedDemo(connection, deployment) : undefined;
// The node is new, so is its chain: an earlier run's embedded index describes a chain that is gone.
if (!process.env.DATABASE_URL) rmSync(join(dataDir(), "indexer"), { recursive: true, force: true });
try {
  indexer = await startIndexer({ env: { ...process.env, PROVENA_POLLING_MS: process.env.PROVENA_POLLING_MS ?? "200" } });
  const publicClient = await connection.viem.getPublicClient();
  const testClient = await connection.viem.getTestClient();
  await waitUntilIndexed(indexer.url, Number(await publicClient.getBlockNumber({ cacheTime: 0 })), () => testClient.request({ method: "evm_mine" } as never));
} catch (error) {
  // Leave nothing running behind a failed start.
  await indexer?.stop();
  await server.close();
  throw error;
}

console.log(`
Provena local stack
  chain       ${deployment.chainId} at ${rpcUrl} (websocket ${wsUrl})
  registry    ${deployment.contracts.DatanetRegistry.address}
  ledger      ${deployment.contracts.ContributionLedger.address}
  deployment  ${deploymentPath()}
  indexer     ${indexer.url}  (GET /leaderboard, /contributors/:address, /datanets, /contributions; GraphQL at /graphql)
  demo        ${
    summary
      ? `${summary.datanets} Datanets, ${summary.contributions} contributions (${summary.accepted} accepted, ${summary.rejected} rejected, ${summary.pending} pending)`
      : "not seeded (--no-seed)"
  }
  accounts    Hardhat's development accounts (mnemonic "test test … junk"); #0 holds the admin roles
Ready. Ctrl-C stops everything.`);
