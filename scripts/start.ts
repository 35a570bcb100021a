/**
 * `npm start`: the whole local stack on embedded defaults.
 * A Hardhat node on 127.0.0.1, every contract deployed with Ignition, the deployment file written,
 * a demo seeded (unless --no-seed); then it stays up until Ctrl-C.
 *   PROVENA_HOST (127.0.0.1), PROVENA_RPC_PORT (8545; 0 picks a free port), PROVENA_DATA_DIR (./data)
 */
import hre from "hardhat";
import { deploy } from "./deploy.js";
import { seedDemo } from "./seed.js";
import { deploymentPath } from "@provena/common/deployment";

const host = process.env.PROVENA_HOST ?? "127.0.0.1";
const port = Number(process.env.PROVENA_RPC_PORT ?? 8545);
const seed = !process.argv.includes("--no-seed");
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PROVENA_RPC_PORT must be a port number (0-65535), not "${process.env.PROVENA_RPC_PORT}"`);
  process.exit(2);
}

await hre.tasks.getTask("build").run({ quiet: true });
const server = await hre.network.createServer("default", host, port);
const listening = await server.listen();
const rpcUrl = `http://${listening.address}:${listening.port}`;
const wsUrl = `ws://${listening.address}:${listening.port}`;

const stop = async (signal: string) => {
  console.log(`\n${signal}: stopping the node`);
  await server.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop("SIGINT"));
process.once("SIGTERM", () => void stop("SIGTERM"));

const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
const deployment = await deploy(connection, { deploymentId: "local", fresh: true, rpcUrl, wsUrl });
const summary = seed ? await seedDemo(connection, deployment) : undefined;

console.log(`
Provena local stack
  chain       ${deployment.chainId} at ${rpcUrl} (websocket ${wsUrl})
  registry    ${deployment.contracts.DatanetRegistry.address}
  ledger      ${deployment.contracts.ContributionLedger.address}
  deployment  ${deploymentPath()}
  demo        ${
    summary
      ? `${summary.datanets} Datanets, ${summary.contributions} contributions (${summary.accepted} accepted, ${summary.rejected} rejected, ${summary.pending} pending)`
      : "not seeded (--no-seed)"
  }
  accounts    Hardhat's development accounts (mnemonic "test test … junk"); #0 holds the admin roles
Ready. Ctrl-C stops everything.`);
