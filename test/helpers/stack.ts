/**
 * A real local stack for end-to-end tests: a Hardhat node on a free loopback port with the contracts
 * deployed, funded throwaway accounts that act through viem, and the indexer (PGlite or PostgreSQL).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import {
  bytesToHex,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  keccak256,
  parseEther,
  toHex,
  type Account,
  type Address,
  type Hex,
  type PrivateKeyAccount,
} from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import {
  contributionLedgerAbi,
  datanetRegistryAbi,
  cidToString,
  rawCidOfDigest,
  fileTypeByName,
  Reason,
  contributionId,
  signedVerdict,
  type ContributionItem,
  type Deployment,
} from "@provena/common";
import { rawCidBytes } from "@provena/common/node";
import { deploy } from "../../scripts/deploy.js";
import { exportAbis } from "../../scripts/export-abis.js";
import { freePort, startIndexer, waitUntilIndexed, type RunningIndexer } from "../../scripts/indexer.js";

export type Chain = Awaited<ReturnType<typeof startChain>>;

export async function startChain() {
  await hre.tasks.getTask("build").run({ quiet: true });
  exportAbis();
  const server = await hre.network.createServer("default", "127.0.0.1", 0);
  const { address, port } = await server.listen();
  const rpcUrl = `http://${address}:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "provena-e2e-"));
  const deploymentFile = join(dataDir, "deployment.json");
  const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
  const deploymentId = `e2e-${process.pid}-${Date.now()}`;
  const deployment: Deployment = await deploy(connection, {
    deploymentId,
    fresh: true,
    rpcUrl,
    wsUrl: `ws://${address}:${port}`,
    out: deploymentFile,
  });
  const transport = http(rpcUrl);
  const publicClient = createPublicClient({ chain: hardhat, transport });
  const testClient = createTestClient({ chain: hardhat, transport, mode: "hardhat" });
  const registry = deployment.contracts.DatanetRegistry.address;
  const ledger = deployment.contracts.ContributionLedger.address;

  const wait = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return receipt;
  };

  /** A fresh funded account, so scenarios never share daily limits or rankings by accident. */
  const account = async (): Promise<PrivateKeyAccount> => {
    const signer = privateKeyToAccount(generatePrivateKey());
    await testClient.setBalance({ address: signer.address, value: parseEther("100") });
    return signer;
  };
  const wallet = (signer: Account) => createWalletClient({ account: signer, chain: hardhat, transport });

  let contentCounter = 0;
  const file = (size = 100) => {
    const contentHash = keccak256(toHex(`e2e-${deploymentId}-${++contentCounter}`));
    return { contentHash, cid: rawCidOfDigest(contentHash), size, fileType: fileTypeByName("txt").code };
  };

  const createDatanet = async (
    owner: PrivateKeyAccount,
    validators: readonly { address: Address }[],
    quorum = 1,
    modality = 0,
  ): Promise<bigint> => {
    await wait(
      await wallet(owner).writeContract({
        address: registry,
        abi: datanetRegistryAbi,
        functionName: "createDatanet",
        args: [
          {
            name: `e2e ${contentCounter}`,
            metadataCid: file().cid,
            modality,
            validators: validators.map((v) => v.address),
            quorum,
            dailyByteCap: 0n,
            isPublic: true,
          },
        ],
      }),
    );
    return publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "datanetCount" });
  };

  /** Sends `contribute(datanetId, items)` as `contributor` (items as an upload's answer gives them) and waits for it. */
  const contributeItems = async (contributor: PrivateKeyAccount, datanetId: bigint, items: readonly ContributionItem[]) =>
    wait(
      await wallet(contributor).writeContract({
        address: ledger,
        abi: contributionLedgerAbi,
        functionName: "contribute",
        args: [datanetId, items],
      }),
    );

  /** Contributes `count` files; returns their contribution ids. */
  const contribute = async (contributor: PrivateKeyAccount, datanetId: bigint, count = 1, size = 100): Promise<Hex[]> => {
    const items = Array.from({ length: count }, () => file(size));
    await contributeItems(contributor, datanetId, items);
    return items.map((item) => contributionId(datanetId, item.contentHash));
  };

  /** Each validator signs the same verdict on every id; a separate relayer submits them in one batch. */
  const judge = async (ids: Hex[], validators: PrivateKeyAccount[], accept: boolean, score: number, relayer: PrivateKeyAccount) => {
    const deadline = BigInt((await publicClient.getBlock()).timestamp + 86_400n * 365n);
    const signed = [];
    for (const contribution of ids) {
      for (const validator of validators) {
        signed.push(
          await signedVerdict(validator, deployment.chainId, ledger, {
            contribution,
            accept,
            score,
            reason: accept ? Reason.Accepted : Reason.LowQuality,
            deadline,
          }),
        );
      }
    }
    return wait(
      await wallet(relayer).writeContract({ address: ledger, abi: contributionLedgerAbi, functionName: "submitVerdicts", args: [signed] }),
    );
  };

  const registryAs = (signer: Account) => ({
    write: async (functionName: string, args: readonly unknown[]) =>
      wait(await wallet(signer).writeContract({ address: registry, abi: datanetRegistryAbi, functionName, args } as never)),
  });

  /** Stores content under the CID of `named` (normally the content itself) in the content directory. */
  const storeContent = (named: Uint8Array, content: Uint8Array = named): Hex => {
    const cid = rawCidBytes(named);
    mkdirSync(join(dataDir, "content"), { recursive: true });
    writeFileSync(join(dataDir, "content", cidToString(cid)), content);
    return bytesToHex(cid);
  };

  const close = async () => {
    await server.close();
    rmSync(join(hre.config.paths.ignition, "deployments", deploymentId), { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  };

  return {
    rpcUrl,
    dataDir,
    deploymentFile,
    deployment,
    publicClient,
    testClient,
    account,
    wallet,
    file,
    createDatanet,
    contribute,
    contributeItems,
    judge,
    registryAs,
    storeContent,
    wait,
    close,
  };
}

/** Hardhat's first development account: holds the admin, governor and pauser roles of the deployment. */
export const admin = mnemonicToAccount("test test test test test test test test test test test junk");

// ------------------------------------------------------------------ indexer

export type IndexerUnderTest = RunningIndexer & { get: <T = unknown>(path: string) => Promise<{ status: number; body: T }> };

export async function indexerFor(
  chain: Chain,
  database: { kind: "pglite" } | { kind: "postgres"; url: string },
  schema?: string,
): Promise<IndexerUnderTest> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PROVENA_DEPLOYMENT: chain.deploymentFile,
    PROVENA_DATA_DIR: chain.dataDir,
    ...(schema ? { DATABASE_SCHEMA: schema } : {}),
  };
  delete env.DATABASE_URL;
  if (database.kind === "postgres") env.DATABASE_URL = database.url;
  const running = await startIndexer({
    port: 0,
    env,
    ...(process.env.PROVENA_TEST_LOGS ? { onLog: (line: string) => console.error(`[indexer] ${line}`) } : {}),
  });
  return {
    ...running,
    get: async <T>(path: string) => {
      const response = await fetch(`${running.url}${path}`);
      return { status: response.status, body: (await response.json()) as T };
    },
  };
}

/** Waits until the indexer has seen the chain's newest block. */
export const synced = async (chain: Chain, indexer: RunningIndexer) =>
  waitUntilIndexed(indexer.url, Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 })), () =>
    chain.testClient.request({ method: "evm_mine" } as never),
  );

// ------------------------------------------------------------------ PostgreSQL

/**
 * A throwaway PostgreSQL cluster on a free loopback port, from the machine's (Debian's) binaries; or
 * the server in PROVENA_TEST_DATABASE_URL. Undefined when neither is there.
 */
export async function startPostgres(): Promise<{ url: string; stop: () => void } | undefined> {
  if (process.env.PROVENA_TEST_DATABASE_URL) return { url: process.env.PROVENA_TEST_DATABASE_URL, stop: () => {} };
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => existsSync(`${dir}/initdb`));
  if (!bin) return undefined;
  const port = await freePort("127.0.0.1");
  const dir = mkdtempSync(join(tmpdir(), "provena-pg-"));
  chmodSync(dir, 0o777);
  // PostgreSQL refuses to run as root: as root, run it as the `postgres` user Debian's package creates.
  const asUser = (args: string[]) =>
    (process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", ...args]] : [args[0]!, args.slice(1)]) as [string, string[]];
  const run = (args: string[]) => {
    const [command, rest] = asUser(args);
    execFileSync(command, rest, { stdio: "pipe" });
  };
  run([`${bin}/initdb`, "-D", `${dir}/data`, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"]);
  run([
    `${bin}/pg_ctl`,
    "-D",
    `${dir}/data`,
    "-l",
    `${dir}/log`,
    "-w",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    "start",
  ]);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      const [command, rest] = asUser([`${bin}/pg_ctl`, "-D", `${dir}/data`, "-m", "fast", "-w", "stop"]);
      spawnSync(command, rest, { stdio: "pipe" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type { Address };
