/**
 * `npm start`: the whole local stack on embedded defaults.
 * A Hardhat node on 127.0.0.1, every contract deployed with Ignition, the deployment file written,
 * a demo seeded (unless --no-seed), the attestor (embedded IPFS, upload gateway, automatic validator
 * and verdict relay) and the indexer and its API on the chain it made; then it stays up until Ctrl-C.
 *   PROVENA_HOST (127.0.0.1), PROVENA_RPC_PORT (8545; 0 picks a free port), PROVENA_INDEXER_PORT
 *   (42069; 0 picks a free port), ATTESTOR_PORT (8788; 0 picks a free port), PROVENA_DATA_DIR (./data),
 *   and the attestor's other variables (attestor/src/config.ts). Its validator and relayer key defaults to
 *   Hardhat development account #10.
 * `npm start` builds first (npm's `prestart`: the contracts, then the typed ABIs in common/src/generated),
 * because the modules imported below need that build before this file can even be loaded.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";
import { bytesToHex, type Hex } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { deploy } from "./deploy.js";
import { startIndexer, waitUntilIndexed, type RunningIndexer } from "./indexer.js";
import { seedDemo, standing } from "./seed.js";
import { contentDir, dataDir, deploymentPath } from "@provena/common/node";
import { loadConfig, createAttestor } from "@provena/attestor";
import { storageOf, openStore } from "@provena/runtime";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
/** The attestor's development key: an account the demo seed does not otherwise use (it uses #0–#8). */
const ATTESTOR_DEV_ACCOUNT = 10;
/** How long "Ready." waits for the automatic validator to judge what the seed left pending. */
const ATTESTOR_CATCH_UP_MS = 60_000;

const host = process.env.PROVENA_HOST ?? "127.0.0.1";
const port = Number(process.env.PROVENA_RPC_PORT ?? 8545);
const seed = !process.argv.includes("--no-seed");
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PROVENA_RPC_PORT must be a port number (0-65535), not "${process.env.PROVENA_RPC_PORT}"`);
  process.exit(2);
}

const server = await hre.network.createServer("default", host, port);
const listening = await server.listen();
const rpcUrl = `http://${listening.address}:${listening.port}`;
const wsUrl = `ws://${listening.address}:${listening.port}`;

let indexer: RunningIndexer | undefined;
let attestor: Awaited<ReturnType<typeof createAttestor>> | undefined;
let attestorConfig: ReturnType<typeof loadConfig> | undefined;
const stopAll = async () => {
  await indexer?.stop();
  await attestor?.close();
  await server.close();
};
let stopping = false;
const stop = async (signal: string) => {
  // Ctrl-C reaches every process of the terminal's group, and npm and tsx relay it too: stop once.
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the indexer, the attestor and the node`);
  await stopAll();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));

const devKey = bytesToHex(mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: ATTESTOR_DEV_ACCOUNT }).getHdKey().privateKey!);
const validatorKey = (process.env.ATTESTOR_VALIDATOR_KEY || devKey) as Hex;

const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
const deployment = await deploy(connection, { deploymentId: "local", fresh: true, rpcUrl, wsUrl });
const attestorAddress = privateKeyToAccount(validatorKey).address;
// The local attestor's key signs model provenance: account #0, the admin, authorizes it…
const models = await connection.viem.getContractAt("ModelRegistry", deployment.contracts.ModelRegistry.address);
await (await connection.viem.getPublicClient()).waitForTransactionReceipt({
  hash: await models.write.grantRole([await models.read.ATTESTOR_ROLE(), attestorAddress]),
});
// …and its upload receipts, for Datanets that require them.
const registry = await connection.viem.getContractAt("DatanetRegistry", deployment.contracts.DatanetRegistry.address);
await (await connection.viem.getPublicClient()).waitForTransactionReceipt({
  hash: await registry.write.grantRole([await registry.read.GATEWAY_ROLE(), attestorAddress]),
});
if (seed) await seedDemo(connection, deployment, attestorAddress);
const publicClient = await connection.viem.getPublicClient();
try {
  // The node is new, so is its chain: an earlier run's attestor state and embedded index describe a chain that is gone.
  const config = loadConfig({ ...process.env, PROVENA_RPC_URL: rpcUrl, ATTESTOR_VALIDATOR_KEY: validatorKey });
  attestorConfig = config;
  rmSync(config.runtime.stateDir, { recursive: true, force: true });
  if (!process.env.DATABASE_URL) rmSync(join(dataDir(), "indexer"), { recursive: true, force: true });

  // What the seed wrote under its CID is pinned first, so the validator finds the files it is to judge.
  const store = await openStore(storageOf(config.runtime));
  try {
    const files = existsSync(contentDir()) ? readdirSync(contentDir(), { withFileTypes: true }).filter((entry) => entry.isFile()) : [];
    for (const name of files) {
      const cid = await store.add(readFileSync(join(contentDir(), name.name)));
      if (cid.toString() !== name.name) throw new Error(`${name.name} in ${contentDir()} has the CID ${cid}, not its name`);
    }
  } finally {
    await store.close();
  }
  attestor = await createAttestor(config);
  await attestorCaughtUp(attestor, Number(await publicClient.getBlockNumber({ cacheTime: 0 })));

  indexer = await startIndexer({
    env: {
      ...process.env,
      PROVENA_POLLING_MS: process.env.PROVENA_POLLING_MS ?? "200",
      PROVENA_IPFS_GATEWAY: process.env.PROVENA_IPFS_GATEWAY || attestor.url,
    },
  });
  const testClient = await connection.viem.getTestClient();
  await waitUntilIndexed(indexer.url, Number(await publicClient.getBlockNumber({ cacheTime: 0 })), () =>
    testClient.request({ method: "evm_mine" } as never),
  );
} catch (error) {
  // Leave nothing running behind a failed start.
  await stopAll();
  throw error;
}

/** Waits until the automatic validator has followed the chain to `head` and every verdict it owes has landed. */
async function attestorCaughtUp(running: NonNullable<typeof attestor>, head: number) {
  const deadline = Date.now() + ATTESTOR_CATCH_UP_MS;
  for (;;) {
    const { followedBlock, jobs, verdicts } = running.backlog();
    if ((followedBlock ?? head) >= head && jobs === 0 && verdicts === 0) return;
    if (Date.now() > deadline) {
      console.warn(
        `attestor: still ${jobs} files to judge and ${verdicts} verdicts to land after ${ATTESTOR_CATCH_UP_MS / 1000} s; going on`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const now = await standing(publicClient, deployment);
console.log(`
Provena local stack
  chain       ${deployment.chainId} at ${rpcUrl} (websocket ${wsUrl})
  registry    ${deployment.contracts.DatanetRegistry.address}
  ledger      ${deployment.contracts.ContributionLedger.address}
  models      ${deployment.contracts.ModelRegistry.address}
  deployment  ${deploymentPath()}
  attestor    ${attestor!.url}  (sign-in, POST /datanets/:id/uploads, /ipfs/:cid, POST /verdicts; storage: ${attestor!.store.kind})
  validator   ${attestor!.validator?.address ?? "none"} (automatic, on every demo Datanet; relayer ${attestor!.relay?.address ?? "none"}; signs model provenance)
  models      ${attestor!.models().length} base models in ${attestorConfig!.factory.modelsDir} (MODELS_DIR): ModelFactory at POST /jobs and /chat
  indexer     ${indexer!.url}  (GET /leaderboard, /contributors/:address, /datanets, /contributions; GraphQL at /graphql)
  demo        ${
    seed
      ? `${now.datanets} Datanets, ${now.contributions} contributions (${now.accepted} accepted, ${now.rejected} rejected, ${now.pending} pending)`
      : "not seeded (--no-seed)"
  }
  accounts    Hardhat's development accounts (mnemonic "test test … junk"); #0 holds the admin roles
Ready. Ctrl-C stops everything.`);
