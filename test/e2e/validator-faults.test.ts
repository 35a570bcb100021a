/**
 * The automatic validator against contributions made to stop it, on a real Hardhat node with the embedded
 * IPFS node: an identity CID (its bytes inline) naming a UnixFS root whose child nobody holds, the same
 * root stored here without its child (`size` answers, reading throws), and a reorg below its cursor.
 * Each time the honest contribution behind the bad one is still judged.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { FsBlockstore } from "blockstore-fs";
import { importBytes } from "ipfs-unixfs-importer";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import { bytesToHex, type Hex, type PrivateKeyAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  CHUNK_BYTES,
  CID_PROFILE,
  contributionId,
  contributionLedgerAbi,
  fileTypeByName,
  rawCidOfDigest,
  Reason,
  Status,
} from "@provena/common";
import { sha256 } from "@provena/common/node";
import { prose } from "../fixtures/prose.js";
import { signIn, startAttestor, upload } from "../helpers/attestor.js";
import { startChain, type Chain } from "../helpers/stack.js";
import { until } from "../helpers/until.js";

type Attestor = Awaited<ReturnType<typeof startAttestor>>;
type Item = { contentHash: Hex; cid: Hex; size: number; fileType: number };

/** A text file of two chunks, imported under the profile: its DAG-PB root and leaves, kept apart. */
async function twoChunkFile(seed: number) {
  const parts: Uint8Array[] = [];
  for (let length = 0; length < CHUNK_BYTES * 1.5; length += parts.at(-1)!.length) parts.push(prose(seed * 1_000 + parts.length, 200));
  const bytes = new Uint8Array(Buffer.concat(parts));
  const blocks = new Map<string, { cid: CID; bytes: Uint8Array }>();
  const { cid } = await importBytes(
    bytes,
    {
      put: async (c: CID, b: Uint8Array) => {
        blocks.set(c.toString(), { cid: c, bytes: b });
        return c;
      },
    },
    CID_PROFILE,
  );
  const root = blocks.get(cid.toString())!;
  const item = (named: CID): Item => ({
    contentHash: sha256(bytes),
    cid: bytesToHex(named.bytes),
    size: bytes.length,
    fileType: fileTypeByName("txt").code,
  });
  return { bytes, root, item };
}

const MAX_LOG_BLOCKS = 4n;

/** A JSON-RPC front for the node that refuses `eth_getLogs` over more than `maxBlocks` blocks, as hosted RPC providers do. */
async function startRangeLimitedNode(target: string, maxBlocks: bigint, refused: { count: number }) {
  type Call = { id: number; method: string; params: { fromBlock?: Hex; toBlock?: Hex }[] };
  const tooWide = (call: Call) => {
    const range = call.method === "eth_getLogs" ? call.params[0] : undefined;
    return Boolean(range?.fromBlock && range.toBlock && BigInt(range.toBlock) - BigInt(range.fromBlock) + 1n > maxBlocks);
  };
  const forward = async (body: unknown) =>
    (await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json();
  // One call or a JSON-RPC batch, as a node answers them: each too-wide query refused on its own.
  const answer = async (call: Call) => {
    if (!tooWide(call)) return forward(call);
    refused.count += 1;
    return { jsonrpc: "2.0", id: call.id, error: { code: -32005, message: `query exceeds max block range ${maxBlocks}` } };
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as Call | Call[];
    const result = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body);
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(result));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("the automatic validator is not stopped by one contribution", () => {
  let chain: Chain;
  let attestor: Attestor;
  let owner: PrivateKeyAccount, alice: PrivateKeyAccount, mallory: PrivateKeyAccount;
  let datanet: bigint;
  let auth: Record<string, string>;

  const ledger = () => chain.deployment.contracts.ContributionLedger.address;
  const contribution = (id: Hex) =>
    chain.publicClient.readContract({ address: ledger(), abi: contributionLedgerAbi, functionName: "getContribution", args: [id] });
  const contributeItems = async (who: PrivateKeyAccount, items: Item[], to = datanet) =>
    chain.wait(
      await chain
        .wallet(who)
        .writeContract({ address: ledger(), abi: contributionLedgerAbi, functionName: "contribute", args: [to, items] }),
    );
  const contributeHonest = async (seed: number) => {
    const answer = await upload(attestor.url, datanet, [{ name: `honest-${seed}.txt`, bytes: prose(seed, 40) }], auth);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await contributeItems(alice, answer.body.contribute);
    return answer.body.files[0]!.contributionId;
  };
  const job = (id: Hex) =>
    attestor.db.prepare("SELECT attempts, error, done FROM job WHERE contribution = ?").get(id) as
      | { attempts: number; error: string | null; done: number }
      | undefined;

  before(async () => {
    chain = await startChain();
    const validatorKey = generatePrivateKey();
    const validator = privateKeyToAccount(validatorKey);
    [owner, alice, mallory] = await Promise.all([chain.account(), chain.account(), chain.account()]);
    await chain.testClient.setBalance({ address: validator.address, value: 10n ** 20n });
    datanet = await chain.createDatanet(owner, [validator], 1, 0);
    attestor = await startAttestor(chain, { validatorKey, relayerKey: validatorKey });
    auth = await signIn(attestor.url, alice, chain.deployment.chainId);
  });
  after(async () => {
    await attestor?.close();
    await chain?.close();
  });

  test("an identity CID inlining a root whose child nobody holds is refused as outside the CID profile; the next file is judged", async () => {
    const { root, item } = await twoChunkFile(1);
    const inline = CID.create(1, root.cid.code, identity.digest(root.bytes));
    await contributeItems(mallory, [item(inline)]);
    const poisoned = contributionId(datanet, item(inline).contentHash);
    const honest = await contributeHonest(2);

    await until("the honest file accepted", async () => (await contribution(honest)).status === Status.Accepted);
    await until("the identity CID rejected", async () => (await contribution(poisoned)).status === Status.Rejected);
    const assessment = (await (await fetch(`${attestor.url}/assessments/${poisoned}`)).json()) as { reason: number; explanation: string };
    assert.equal(assessment.reason, Reason.Corrupt);
    assert.match(assessment.explanation, /not one Provena stores files under: its multihash \(code 0x0\) is not SHA-256/);
  });

  test("a root held here without its child (size answers, reading throws) is tried again later; the files after it are judged", async () => {
    const { root, item } = await twoChunkFile(3);
    // As if a peer had handed over only the root block: the embedded node's own block folder gets it.
    const blocks = new FsBlockstore(join(attestor.config.runtime.stateDir, "ipfs", "blocks"));
    await blocks.open();
    await blocks.put(root.cid, root.bytes);
    await blocks.close();
    assert.equal(await attestor.store.size(root.cid), item(root.cid).size, "the node answers the root's size");

    await contributeItems(mallory, [item(root.cid)]);
    const stuck = contributionId(datanet, item(root.cid).contentHash);
    const honest = [await contributeHonest(4), await contributeHonest(5)];

    for (const id of honest) await until(`honest ${id} accepted`, async () => (await contribution(id)).status === Status.Accepted);
    await until("the unreadable file's try counted", () => (job(stuck)?.attempts ?? 0) >= 1);
    const row = job(stuck)!;
    assert.equal(row.done, 0, "it stays queued for another try");
    assert.match(row.error ?? "", /./, "the error it met is kept");
    assert.equal((await contribution(stuck)).status, Status.Pending);
  });

  test("a reorg below the cursor: the lost block's file is dropped, the new chain's file is judged", async () => {
    const snapshot = await chain.testClient.snapshot();
    // A file on the branch about to be lost: unavailable, so no verdict (no relayer transaction) is made for it.
    const digest = sha256(new TextEncoder().encode("held by nobody"));
    const lost: Item = { contentHash: digest, cid: rawCidOfDigest(digest), size: 100, fileType: fileTypeByName("txt").code };
    await contributeItems(mallory, [lost]);
    const lostId = contributionId(datanet, lost.contentHash);
    await chain.testClient.mine({ blocks: 3 });
    const tip = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await until("the validator past the branch", () => attestor.validator!.followedBlock() >= tip);
    await until("the lost file queued", () => job(lostId) !== undefined);

    await chain.testClient.revert({ id: snapshot });
    assert.ok((await chain.publicClient.getBlockNumber({ cacheTime: 0 })) < tip, "the chain is shorter after the revert");
    const honest = await contributeHonest(7); // mined at a height the validator had passed, on the new branch

    await until("the new branch's file accepted", async () => (await contribution(honest)).status === Status.Accepted);
    await until("the lost file's job dropped", () => job(lostId) === undefined);
  });

  test("a node that refuses wide log queries: the span is halved until it answers, and files are judged", async () => {
    const refused = { count: 0 };
    const node = await startRangeLimitedNode(chain.rpcUrl, MAX_LOG_BLOCKS, refused);
    const validatorKey = generatePrivateKey();
    const validator = privateKeyToAccount(validatorKey);
    await chain.testClient.setBalance({ address: validator.address, value: 10n ** 20n });
    const own = await chain.createDatanet(owner, [validator], 1, 0);
    const limited = await startAttestor(chain, { validatorKey, relayerKey: validatorKey, rpcUrl: node.url });
    try {
      const headers = await signIn(limited.url, alice, chain.deployment.chainId);
      const answer = await upload(limited.url, own, [{ name: "limited.txt", bytes: prose(8, 40) }], headers);
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      await contributeItems(alice, answer.body.contribute, own);
      const id = answer.body.files[0]!.contributionId;
      await until("the file accepted through the limited node", async () => (await contribution(id)).status === Status.Accepted);
      assert.ok(refused.count > 0, "the node refused the first, wide queries");
    } finally {
      await limited.close();
      await node.close();
    }
  });
});
