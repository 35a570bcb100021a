/**
 * The indexer keeps following the chain (issue 13, items 9 and 13), against a real Hardhat node and the
 * real indexer, whose deployment file names a websocket that never answers (a dropped subscription):
 *  - its connection to the node is cut (a relay taken down, every open connection with it) and brought
 *    back: GET /lag answers 503 with the reason meanwhile, and Datanets created during and after the cut
 *    are indexed within a bound once it is back;
 *  - the attestor's automatic validator cut off from the node: GET /health says it is not following, and why;
 *  - an indexer process killed is started again by the stack's supervisor and resumes;
 *  - a stranger's metadata gateway stalls, floods or lies: the Datanets after it are indexed at once, the
 *    bad metadata is refused with its status and reason, honest metadata is served.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import { bytesToHex, type Hex, type PrivateKeyAccount } from "viem";
import { cidToString, datanetRegistryAbi } from "@provena/common";
import { rawCidBytes } from "@provena/common/node";
import { startIndexer, superviseIndexer, type RunningIndexer } from "../../scripts/indexer.js";
import { generatePrivateKey } from "viem/accounts";
import { startAttestor } from "../helpers/attestor.js";
import { startProxy } from "../helpers/proxy.js";
import { startChain, synced, type Chain } from "../helpers/stack.js";
import { until } from "../helpers/until.js";

const BOUND_MS = 10_000;
const GATEWAY_TIMEOUT_MS = 1_500;

type DatanetView = { id: number; metadataCid: Hex; metadataStatus: string; metadataError: string | null; summary: string | null };
type Lag = { following: boolean; indexedBlock: number | null; headBlock: number | null; lagBlocks?: number; error: string | null };

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const cidOfBytes = (bytes: Uint8Array): Hex => bytesToHex(rawCidBytes(bytes));

describe("following the chain", () => {
  let chain: Chain;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let indexer: RunningIndexer;
  let gateway: Server;
  let blackhole: NetServer;
  let owner: PrivateKeyAccount;
  const stalled = new Set<string>();
  // What the gateway serves, by CID string: bytes, or a behaviour.
  const served = new Map<string, Uint8Array | "stall" | "flood">();

  const get = async <T>(path: string) => {
    const response = await fetch(`${indexer.url}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  };

  const createDatanet = async (metadataCid: Hex): Promise<number> => {
    await chain
      .registryAs(owner)
      .write("createDatanet", [
        { name: "follow", metadataCid, modality: 0, validators: [owner.address], quorum: 1, dailyByteCap: 0n, isPublic: true },
      ]);
    const count = await chain.publicClient.readContract({
      address: chain.deployment.contracts.DatanetRegistry.address,
      abi: datanetRegistryAbi,
      functionName: "datanetCount",
    });
    return Number(count);
  };

  /** Milliseconds until the Datanet is served by the REST API; fails past BOUND_MS. */
  const appears = async (id: number) => {
    const start = performance.now();
    await until(`Datanet ${id} indexed`, async () => (await get(`/datanets/${id}`)).status === 200, BOUND_MS);
    return performance.now() - start;
  };

  const settled = async (id: number) => {
    let view: DatanetView | undefined;
    await until(
      `Datanet ${id}'s metadata settled`,
      async () => {
        view = (await get<DatanetView>(`/datanets/${id}`)).body;
        return view.metadataStatus !== "pending";
      },
      BOUND_MS,
    );
    return view!;
  };

  before(async () => {
    chain = await startChain();
    owner = await chain.account();
    gateway = createServer((request, response) => {
      const cid = /^\/ipfs\/(\w+)$/.exec(request.url ?? "")?.[1] ?? "";
      const what = served.get(cid);
      if (what === "stall") {
        stalled.add(cid); // never answered: the server's close cuts it
        return;
      }
      if (what === "flood") {
        // 10 MB, chunked (no content-length): only reading can find out.
        response.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const more = () => {
          while (sent < 10 * 1024 * 1024) {
            sent += chunk.length;
            if (!response.write(chunk)) return void response.once("drain", more);
          }
          response.end();
        };
        response.on("error", () => {});
        return more();
      }
      if (!what) return void response.writeHead(404).end();
      response.writeHead(200).end(what);
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    const gatewayUrl = `http://127.0.0.1:${(gateway.address() as { port: number }).port}`;
    // The deployment's websocket leads to a socket that accepts and then says nothing, as a node does
    // once it has dropped a subscription: the indexer must not depend on it.
    blackhole = createNetServer((socket) => socket.on("error", () => {}));
    await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
    const deployment = JSON.parse(readFileSync(chain.deploymentFile, "utf8")) as { wsUrl?: string };
    deployment.wsUrl = `ws://127.0.0.1:${(blackhole.address() as { port: number }).port}`;
    writeFileSync(chain.deploymentFile, JSON.stringify(deployment, null, 2));
    const rpc = new URL(chain.rpcUrl);
    proxy = await startProxy({ host: rpc.hostname, port: Number(rpc.port) });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PROVENA_DEPLOYMENT: chain.deploymentFile,
      PROVENA_DATA_DIR: chain.dataDir,
      PROVENA_RPC_URL: proxy.url(),
      PROVENA_POLLING_MS: "200",
      PROVENA_MAX_LAG_MS: "3000",
      PROVENA_IPFS_GATEWAY: gatewayUrl,
      PROVENA_METADATA_TIMEOUT_MS: String(GATEWAY_TIMEOUT_MS),
    };
    delete env.DATABASE_URL;
    indexer = await startIndexer({
      port: 0,
      env,
      ...(process.env.PROVENA_TEST_LOGS ? { onLog: (line: string) => console.error(`[indexer] ${line}`) } : {}),
    });
    await synced(chain, indexer);
  });

  after(async () => {
    await indexer?.stop();
    await proxy?.down();
    gateway?.closeAllConnections();
    await new Promise((resolve) => gateway?.close(resolve));
    blackhole?.close();
    await chain?.close();
  });

  test("a stalling, flooding or lying metadata gateway delays no indexing; honest metadata is served", async () => {
    const stall = json({ summary: "never served" });
    const flood = json({ summary: "too long" });
    const honest = json({ summary: "Recipes", tags: ["food"] });
    const claimed = json({ summary: "what the CID names" });
    const name = (bytes: Uint8Array) => cidToString(rawCidBytes(bytes));
    const strings = { stall: name(stall), flood: name(flood), honest: name(honest), lying: name(claimed) };
    served.set(strings.stall, "stall");
    served.set(strings.flood, "flood");
    served.set(strings.honest, honest);
    served.set(strings.lying, json({ summary: "forged" }));

    const stalledId = await createDatanet(cidOfBytes(stall));
    const floodId = await createDatanet(cidOfBytes(flood));
    const lyingId = await createDatanet(cidOfBytes(claimed));
    const honestId = await createDatanet(cidOfBytes(honest));
    // Indexed at once, with the stalled gateway request still open.
    const latency = await appears(honestId);
    assert.ok(latency < 5_000, `the Datanet after a stalled metadata fetch took ${latency} ms`);
    for (const id of [stalledId, floodId, lyingId]) assert.equal((await get(`/datanets/${id}`)).status, 200);

    const good = await settled(honestId);
    assert.deepEqual([good.metadataStatus, good.summary, good.metadataError], ["resolved", "Recipes", null]);
    const tooLarge = await settled(floodId);
    assert.equal(tooLarge.metadataStatus, "too_large");
    assert.match(tooLarge.metadataError!, /larger than 65536 bytes/);
    const lying = await settled(lyingId);
    assert.deepEqual([lying.metadataStatus, lying.summary], ["cid_mismatch", null]);
    assert.match(lying.metadataError!, /do not hash to that CID/);
    const slow = await settled(stalledId);
    assert.ok(stalled.has(strings.stall), "the gateway was asked");
    assert.equal(slow.metadataStatus, "unavailable");
    assert.match(slow.metadataError!, new RegExp(`did not answer within ${GATEWAY_TIMEOUT_MS} ms`));
    // And the list shows the same.
    const { body } = await get<{ datanets: DatanetView[] }>("/datanets");
    assert.deepEqual(
      [stalledId, floodId, lyingId, honestId].map((id) => body.datanets.find((d) => d.id === id)?.metadataStatus),
      ["unavailable", "too_large", "cid_mismatch", "resolved"],
    );
  });

  test("cut off from the node, /lag answers 503; back, the indexer catches up within the bound and /lag answers 200", async () => {
    await synced(chain, indexer);
    const healthy = await get<Lag>("/lag");
    assert.equal(healthy.status, 200, JSON.stringify(healthy.body));
    assert.equal(healthy.body.following, true);
    const before = await createDatanet(cidOfBytes(json({ n: 1 })));
    const latency = await appears(before);
    console.log(`indexed ${Math.round(latency)} ms after the receipt`);

    await proxy.down();
    let cut: Lag | undefined;
    await until(
      "/lag to answer 503",
      async () => {
        const answer = await get<Lag>("/lag");
        cut = answer.body;
        return answer.status === 503;
      },
      BOUND_MS,
    );
    assert.equal(cut!.following, false);
    assert.match(cut!.error!, /RPC did not answer/);
    const during = await createDatanet(cidOfBytes(json({ n: 2 })));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal((await get(`/datanets/${during}`)).status, 404, "not indexed while the node is unreachable");

    await proxy.up();
    await appears(during);
    const after = await createDatanet(cidOfBytes(json({ n: 3 })));
    await appears(after);
    await until("/lag to answer 200 again", async () => (await get<Lag>("/lag")).status === 200, BOUND_MS);
  });
});

describe("the attestor's health follows its validator's follower", () => {
  test("cut off from the node, /health reports the validator not following, with why; back, following again", async () => {
    const chain = await startChain();
    const rpc = new URL(chain.rpcUrl);
    const relay = await startProxy({ host: rpc.hostname, port: Number(rpc.port) });
    const key = generatePrivateKey();
    const attestor = await startAttestor(chain, {
      rpcUrl: relay.url(),
      validatorKey: key,
      relayerKey: key,
      follower: { maxLagBlocks: 20, staleMs: 1_500 },
    });
    type Health = { backlog: { following: boolean; headBlock: number | null; lagBlocks: number | null; error: string | null } };
    const health = async () => ((await (await fetch(`${attestor.url}/health`)).json()) as Health).backlog;
    try {
      await until("the validator following", async () => (await health()).following, BOUND_MS);
      const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
      const up = await health();
      assert.deepEqual([up.headBlock, up.lagBlocks, up.error], [head, 0, null]);

      await relay.down();
      await until("the validator reported not following", async () => !(await health()).following, BOUND_MS);
      assert.match((await health()).error!, /automatic validator's follower: it has not read the chain's head for \d+ s \(at most 1.5\)/);

      await relay.up();
      await chain.testClient.request({ method: "evm_mine" } as never);
      await until("the validator following again", async () => (await health()).following, BOUND_MS);
      assert.equal((await health()).headBlock, head + 1);
    } finally {
      await attestor.close();
      await relay.down();
      await chain.close();
    }
  });
});

describe("npm start's indexer supervision", () => {
  test("an indexer process that dies is started again at the same URL and resumes following", async () => {
    const chain = await startChain();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PROVENA_DEPLOYMENT: chain.deploymentFile,
      PROVENA_DATA_DIR: chain.dataDir,
      PROVENA_POLLING_MS: "200",
    };
    delete env.DATABASE_URL;
    const options = { port: 0, env };
    const logged: string[] = [];
    const indexer = superviseIndexer(await startIndexer(options), options, (line) => logged.push(line));
    try {
      const owner = await chain.account();
      const first = await chain.createDatanet(owner, [owner]);
      await until("the first Datanet indexed", async () => (await fetch(`${indexer.url}/datanets/${first}`)).status === 200, BOUND_MS);
      const pid = indexer.pid();
      process.kill(pid, "SIGKILL");
      const second = await chain.createDatanet(owner, [owner]);
      await until("the indexer started again", () => indexer.restarts() === 1 && indexer.pid() !== pid, 60_000);
      assert.match(logged[0]!, /exited \(null\) on its own; starting it again at http:\/\/127\.0\.0\.1:\d+/);
      await until("the second Datanet indexed", async () => (await fetch(`${indexer.url}/datanets/${second}`)).status === 200, BOUND_MS);
      assert.equal((await fetch(`${indexer.url}/lag`)).status, 200);
    } finally {
      await indexer.stop();
      await chain.close();
    }
  });
});
