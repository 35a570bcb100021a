/**
 * The whole local stack, as `npm start` runs it and `npm run soak` loads it: a Hardhat node on loopback,
 * every contract deployed with Ignition, the deployment file written, a demo seeded (optional), the
 * attestor (embedded IPFS, upload gateway, automatic validator and verdict relay), the indexer and its
 * API on the chain it made, and the docs server (pages, ?ask=, llms.txt, MCP with live data tools). Ports
 * and directories come from the environment (start.ts lists them).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";
import { bytesToHex, type Hex } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { contentDir, dataDir } from "@provena/common/node";
import { createAttestor, loadConfig } from "@provena/attestor";
import { type DocsServer, docsConfigFromEnv, startDocsServer } from "@provena/docs";
import { openStore, storageOf } from "@provena/runtime";
import { deploy } from "../deploy.js";
import { startIndexer, superviseIndexer, waitUntilIndexed } from "../indexer.js";
import { seedDemo } from "../seed.js";

export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
/** The attestor's development key: an account the demo seed does not otherwise use (it uses #0–#8). */
const ATTESTOR_DEV_ACCOUNT = 10;
/** How long start waits for the automatic validator to judge what the seed left pending. */
const ATTESTOR_CATCH_UP_MS = 60_000;
/** How long start waits for the indexer's background fetcher to read the seeded Datanets' metadata. */
const METADATA_CATCH_UP_MS = 15_000;

export type StackOptions = { host: string; port: number; seed: boolean; env?: NodeJS.ProcessEnv };

export async function startLocalStack({ host, port, seed, env = process.env }: StackOptions) {
  const server = await hre.network.createServer("default", host, port);
  const listening = await server.listen();
  const rpcUrl = `http://${listening.address}:${listening.port}`;
  const wsUrl = `ws://${listening.address}:${listening.port}`;

  let indexer: ReturnType<typeof superviseIndexer> | undefined;
  let attestor: Awaited<ReturnType<typeof createAttestor>> | undefined;
  let docs: DocsServer | undefined;
  const stop = async () => {
    await docs?.close();
    await indexer?.stop();
    await attestor?.close();
    await server.close();
  };

  const devKey = bytesToHex(mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: ATTESTOR_DEV_ACCOUNT }).getHdKey().privateKey!);
  const validatorKey = (env.ATTESTOR_VALIDATOR_KEY || devKey) as Hex;
  try {
    const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
    const deployment = await deploy(connection, { deploymentId: "local", fresh: true, rpcUrl, wsUrl });
    const attestorAddress = privateKeyToAccount(validatorKey).address;
    // The local attestor's key signs model provenance: account #0, the admin, authorizes it…
    const models = await connection.viem.getContractAt("ModelRegistry", deployment.contracts.ModelRegistry.address);
    const publicClient = await connection.viem.getPublicClient();
    await publicClient.waitForTransactionReceipt({
      hash: await models.write.grantRole([await models.read.ATTESTOR_ROLE(), attestorAddress]),
    });
    // …and its upload receipts, for Datanets that require them.
    const registry = await connection.viem.getContractAt("DatanetRegistry", deployment.contracts.DatanetRegistry.address);
    await publicClient.waitForTransactionReceipt({
      hash: await registry.write.grantRole([await registry.read.GATEWAY_ROLE(), attestorAddress]),
    });
    if (seed) await seedDemo(connection, deployment, attestorAddress);

    // The node is new, so is its chain: an earlier run's attestor state and embedded index describe a chain that is gone.
    const attestorConfig = loadConfig({ ...env, PROVENA_RPC_URL: rpcUrl, ATTESTOR_VALIDATOR_KEY: validatorKey });
    rmSync(attestorConfig.runtime.stateDir, { recursive: true, force: true });
    if (!env.DATABASE_URL) rmSync(join(dataDir(env), "indexer"), { recursive: true, force: true });

    // What the seed wrote under its CID is pinned first, so the validator finds the files it is to judge.
    const store = await openStore(storageOf(attestorConfig.runtime));
    try {
      const dir = contentDir(env);
      const files = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isFile()) : [];
      for (const name of files) {
        const cid = await store.add(readFileSync(join(dir, name.name)));
        if (cid.toString() !== name.name) throw new Error(`${name.name} in ${dir} has the CID ${cid}, not its name`);
      }
    } finally {
      await store.close();
    }
    const running = await createAttestor(attestorConfig);
    attestor = running;
    await attestorCaughtUp(running, Number(await publicClient.getBlockNumber({ cacheTime: 0 })));

    const indexerOptions = {
      env: {
        ...env,
        PROVENA_POLLING_MS: env.PROVENA_POLLING_MS ?? "200",
        PROVENA_IPFS_GATEWAY: env.PROVENA_IPFS_GATEWAY || running.url,
      },
    };
    // Supervised: an indexer that exits on its own is started again, not left dead behind a running stack.
    const runningIndexer = superviseIndexer(await startIndexer(indexerOptions), indexerOptions);
    indexer = runningIndexer;
    const testClient = await connection.viem.getTestClient();
    await waitUntilIndexed(runningIndexer.url, Number(await publicClient.getBlockNumber({ cacheTime: 0 })), () =>
      testClient.request({ method: "evm_mine" } as never),
    );
    await metadataFetched(runningIndexer.url);
    // Its live data tools read the stack just started, wherever its ports landed.
    docs = await startDocsServer({
      ...docsConfigFromEnv({ ...env, PROVENA_RPC_URL: rpcUrl }),
      indexerUrl: runningIndexer.url,
      attestorUrl: running.url,
      deployment,
      rpcUrl,
    });
    return {
      rpcUrl,
      wsUrl,
      connection,
      deployment,
      publicClient,
      testClient,
      attestor: running,
      attestorConfig,
      indexer: runningIndexer,
      docs,
      stop,
    };
  } catch (error) {
    // Leave nothing running behind a failed start.
    await stop();
    throw error;
  }
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;

/** Waits until the automatic validator has followed the chain to `head` and every verdict it owes has landed. */
async function attestorCaughtUp(running: Awaited<ReturnType<typeof createAttestor>>, head: number) {
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

/** Waits (boundedly) until no Datanet's metadata is still being fetched, so the summary's Datanets show theirs. */
async function metadataFetched(indexerUrl: string) {
  const deadline = Date.now() + METADATA_CATCH_UP_MS;
  while (Date.now() < deadline) {
    const { datanets } = (await (await fetch(`${indexerUrl}/datanets?limit=100`)).json()) as { datanets: { metadataStatus: string }[] };
    if (datanets.every((d) => d.metadataStatus !== "pending")) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.warn(`indexer: Datanet metadata still being fetched after ${METADATA_CATCH_UP_MS / 1000} s; going on`);
}
