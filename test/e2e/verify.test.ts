/**
 * The auditor's verifier (@provena/verify: verifier/src/index.ts, its CLI verifier/src/cli.ts) against a real Hardhat node
 * and the attestor's embedded IPFS node: a text Datanet (2 validators, quorum 1, raised to 2 afterwards)
 * with real pinned contributions — accepted, rejected, accepted only after the dataset block, and one whose
 * on-chain CID names other bytes than its SHA-256 — and models published by hand (artifacts and manifest
 * pinned, record signed by an authorized attestor, registered). A genuine model verifies (library and CLI);
 * each tampering fails with the fault named; unknown and malformed ids give clear answers.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sha256 } from "@provena/common/node";
import {
  fileTypeByName,
  contributionLedgerAbi,
  datanetRegistryAbi,
  modelRegistryAbi,
  baseModelId,
  datasetRoot,
  modelTypedData,
  signedModel,
  type ModelRecord,
  contributionId,
  signedVerdict,
  encodeManifest,
  type ManifestLeaf,
} from "@provena/common";
import type { CID } from "multiformats/cid";
import { bytesToHex, getAddress, keccak256, toHex, type Abi, type Address, type Hex, type PrivateKeyAccount } from "viem";
import { connect } from "../../attestor/runtime/src/chain.js";
import { collectDataset } from "../../attestor/factory/src/provenance/dataset.js";
import { buildManifest } from "../../attestor/factory/src/provenance/manifest.js";
import { publishModel } from "../../attestor/factory/src/provenance/publish.js";
import {
  createVerifier,
  verifyAttestorSignature,
  verifyContribution,
  verifyModel,
  VerifyError,
  type Report,
  type Verifier,
} from "@provena/verify";
import { prose } from "../fixtures/prose.js";
import { startAttestor } from "../helpers/attestor.js";
import { admin, startChain, type Chain } from "../helpers/stack.js";

type Attestor = Awaited<ReturnType<typeof startAttestor>>;
type Entry = { id: Hex; sha256: Hex; cid: CID; size: number };

const ATTESTOR_ROLE = keccak256(toHex("ATTESTOR_ROLE"));
const TXT = fileTypeByName("txt").code;
const utf8 = (text: string) => new TextEncoder().encode(text);
const checkOf = (report: Report, name: string) => {
  const check = report.checks.find((c) => c.check === name);
  assert.ok(check, `no check "${name}" in ${JSON.stringify(report.checks.map((c) => c.check))}`);
  return check;
};
const failing = (report: Report) => report.checks.filter((c) => !c.ok).map((c) => c.check);

describe("auditor's verifier", () => {
  let chain: Chain;
  let attestor: Attestor;
  let ctx: Verifier;
  let signer: PrivateKeyAccount,
    owner: PrivateKeyAccount,
    alice: PrivateKeyAccount,
    v1: PrivateKeyAccount,
    v2: PrivateKeyAccount,
    relayer: PrivateKeyAccount;
  let datanet: bigint;
  let datasetBlock: bigint;
  let good: Entry[], rejected: Entry, late: Entry, swapped: Entry;
  let genuineModel: bigint;

  const registry = () => chain.deployment.contracts.ModelRegistry.address;
  const ledger = () => chain.deployment.contracts.ContributionLedger.address;
  const hex = (cid: CID) => bytesToHex(cid.bytes);

  /** Pins `content`, contributes it under the SHA-256 of `claimed` (normally the same bytes). */
  const entry = async (content: Uint8Array, claimed = content) => {
    const cid = await attestor.store.add(content);
    const hash = sha256(claimed);
    return { id: contributionId(datanet, hash), sha256: hash, cid, size: claimed.length } satisfies Entry;
  };

  const judge = async (votes: [Entry, PrivateKeyAccount, boolean][]) => {
    const deadline = BigInt((await chain.publicClient.getBlock()).timestamp) + 3_600n;
    const signed = [];
    for (const [e, who, accept] of votes) {
      signed.push(
        await signedVerdict(who, chain.deployment.chainId, ledger(), {
          contribution: e.id,
          accept,
          score: accept ? 80 : 10,
          reason: accept ? 1 : 6,
          deadline,
        }),
      );
    }
    await chain.wait(
      await chain
        .wallet(relayer)
        .writeContract({ address: ledger(), abi: contributionLedgerAbi, functionName: "submitVerdicts", args: [signed] }),
    );
  };

  const leafOf = (e: Entry): ManifestLeaf => ({
    contribution: e.id,
    sha256: e.sha256,
    datanetId: datanet.toString(),
    cid: e.cid.toString(),
    size: e.size,
    type: "txt",
  });

  /** Publishes a model trained on `entries` by hand; `tweak` alters the record before it is signed. */
  const publish = async (
    entries: Entry[],
    tweak: (record: ModelRecord) => ModelRecord | Promise<ModelRecord> = (r) => r,
    attestorAddress?: Address,
  ): Promise<bigint> => {
    const adapter = new Uint8Array(randomBytes(4_096));
    const config = utf8(
      `${JSON.stringify({ base: "tiny/llama", method: "lora", rank: 8, epochs: 1, datanets: [datanet.toString()] }, null, 1)}\n`,
    );
    const metrics = utf8(`${JSON.stringify({ evalLoss: 1.234, perplexity: 3.43 })}\n`);
    const manifest = buildManifest(
      { chainId: chain.deployment.chainId, ledger: ledger(), datasetBlock: Number(datasetBlock), datanets: [datanet.toString()] },
      entries.map(leafOf),
    );
    const [adapterCid, configCid, metricsCid, manifestCid] = await Promise.all(
      [adapter, config, metrics, encodeManifest(manifest)].map((bytes) => attestor.store.add(bytes)),
    );
    const block = await chain.publicClient.getBlock();
    const record = await tweak({
      baseModelId: baseModelId("tiny/llama"),
      baseWeightsHash: sha256(utf8("tiny/llama weights")),
      adapterHash: sha256(adapter),
      adapterCid: hex(adapterCid!),
      datasetRoot: manifest.root,
      datasetCid: hex(manifestCid!),
      datasetBlock,
      datasetSize: entries.length,
      configHash: sha256(config),
      configCid: hex(configCid!),
      metricsHash: sha256(metrics),
      metricsCid: hex(metricsCid!),
      parentId: 0n,
      creator: alice.address,
      deadline: block.timestamp + 3_600n,
    });
    // `signer` signs: for itself, or as the owner of an EIP-1271 wallet at `attestorAddress`.
    const [, , signature] = await signedModel(signer, chain.deployment.chainId, registry(), record);
    const args = [record, attestorAddress ?? signer.address, signature] as const;
    await chain.wait(
      await chain.wallet(relayer).writeContract({ address: registry(), abi: modelRegistryAbi, functionName: "registerModel", args }),
    );
    return chain.publicClient.readContract({ address: registry(), abi: modelRegistryAbi, functionName: "modelCount" });
  };

  /** The CLI as a child process (async: the Hardhat node runs in this process). */
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "verifier/src/cli.ts", ...args], {
        env: { ...process.env, PROVENA_DEPLOYMENT: chain.deploymentFile, PROVENA_IPFS_GATEWAY: attestor.url, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

  before(async () => {
    chain = await startChain();
    attestor = await startAttestor(chain);
    [signer, owner, alice, v1, v2, relayer] = await Promise.all([
      chain.account(),
      chain.account(),
      chain.account(),
      chain.account(),
      chain.account(),
      chain.account(),
    ]);
    await chain.wait(
      await chain
        .wallet(admin)
        .writeContract({ address: registry(), abi: modelRegistryAbi, functionName: "grantRole", args: [ATTESTOR_ROLE, signer.address] }),
    );
    datanet = await chain.createDatanet(owner, [v1, v2], 1, 0);

    good = await Promise.all([prose(901), prose(902), prose(903)].map((bytes) => entry(bytes)));
    rejected = await entry(prose(904));
    late = await entry(prose(905));
    swapped = await entry(prose(906), prose(907)); // the chain's CID names other bytes than its SHA-256
    const all = [...good, rejected, late, swapped];
    const items = all.map((e) => ({ contentHash: e.sha256, cid: hex(e.cid), size: e.size, fileType: TXT }));
    await chain.wait(
      await chain
        .wallet(alice)
        .writeContract({ address: ledger(), abi: contributionLedgerAbi, functionName: "contribute", args: [datanet, items] }),
    );

    await judge([
      [good[0]!, v1, true],
      [good[1]!, v2, true],
      [good[2]!, v1, true],
      [rejected, v2, false],
      [swapped, v1, true],
    ]);
    datasetBlock = await chain.publicClient.getBlockNumber();
    await judge([[late, v1, true]]); // accepted only after the dataset block
    // A quorum raised after the verdicts: they are judged by the quorum of their own block.
    await chain.wait(
      await chain.wallet(owner).writeContract({
        address: chain.deployment.contracts.DatanetRegistry.address,
        abi: datanetRegistryAbi,
        functionName: "setQuorum",
        args: [datanet, 2],
      }),
    );

    genuineModel = await publish(good);
    ctx = await createVerifier({ deployment: chain.deployment, rpcUrl: chain.rpcUrl, gateway: attestor.url });
  });

  after(async () => {
    await attestor?.close();
    await chain?.close();
  });

  test("a genuine model verifies: every check holds", async () => {
    const report = await verifyModel(ctx, genuineModel);
    assert.deepEqual(failing(report), [], JSON.stringify(report, null, 1));
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.checks.map((c) => c.check),
      [
        "registered",
        "record",
        "attestor signature",
        "attestor role",
        "not flagged",
        "adapter",
        "config",
        "metrics",
        "dataset manifest",
        "dataset root",
        "dataset leaves: recorded",
        "dataset leaves: accepted",
        "dataset leaves: quorum",
        "dataset leaves: content",
        "parent",
      ],
    );
    assert.equal(report.facts.attestor, signer.address);
    assert.equal(report.facts.datasetSize, 3);
    assert.match(checkOf(report, "attestor role").detail, /held ATTESTOR_ROLE/);
  });

  test("a model published by the attestor's own pipeline (collectDataset, publishModel) verifies", async () => {
    const view = connect(chain.deployment, chain.rpcUrl);
    const startBlock = BigInt(chain.deployment.contracts.ContributionLedger.startBlock);
    const dataset = await collectDataset(view, attestor.store, chain.deployment.chainId, startBlock, {
      datanets: [datanet],
      block: datasetBlock,
    });
    assert.deepEqual(
      dataset.skipped.map((s) => s.contribution),
      [swapped.id],
      "the pipeline leaves out content that does not hash to its SHA-256",
    );
    const published = await publishModel(
      {
        chain: view,
        store: attestor.store,
        chainId: chain.deployment.chainId,
        registry: registry(),
        attestor: signer,
        sender: relayer,
      },
      {
        baseModel: { name: "tiny/llama", weightsHash: sha256(utf8("tiny/llama weights")) },
        adapter: new Uint8Array(randomBytes(8_192)),
        training: { method: "lora", rank: 8 },
        metrics: { evalLoss: 2.5 },
        manifest: dataset.manifest,
        creator: alice.address,
      },
    );
    const report = await verifyModel(ctx, published.modelId);
    assert.deepEqual(failing(report), [], JSON.stringify(report, null, 1));
    assert.equal(report.facts.datasetSize, 3);
  });

  test("the CLI verifies it: a readable report, then one JSON object on the last line, exit 0", async () => {
    const { code, stdout, stderr } = await cli(["model", genuineModel.toString(), "--json"]);
    assert.equal(code, 0, stderr + stdout);
    const lines = stdout.trim().split("\n");
    const report = JSON.parse(lines.at(-1)!) as Report;
    assert.equal(report.ok, true);
    assert.equal(report.subject, `model ${genuineModel}`);
    assert.ok(lines.some((line) => line.includes("✓ dataset leaves: content")));
    assert.ok(lines.some((line) => line.startsWith("VERIFIED: all 15 checks hold")));
  });

  test("an adapter whose CID names other bytes than adapterHash fails the adapter check", async () => {
    const other = await attestor.store.add(new Uint8Array(randomBytes(4_096)));
    let claimed: Hex = "0x";
    const id = await publish(good, (record) => {
      claimed = record.adapterHash;
      return { ...record, adapterCid: hex(other) };
    });
    const report = await verifyModel(ctx, id);
    assert.deepEqual(failing(report), ["adapter"]);
    const detail = checkOf(report, "adapter").detail;
    assert.ok(detail.includes(other.toString()) && detail.includes(claimed), detail);
    assert.match(detail, /have SHA-256 0x[0-9a-f]{64}; the record's adapterHash is/);
  });

  test("a manifest with a rejected contribution, or one accepted after datasetBlock, names the leaf and why", async () => {
    const withRejected = await verifyModel(ctx, await publish([good[0]!, rejected]));
    assert.deepEqual(failing(withRejected), ["dataset leaves: accepted"]);
    const accepted = checkOf(withRejected, "dataset leaves: accepted");
    assert.deepEqual(
      accepted.failures?.map((f) => f.id),
      [rejected.id],
    );
    assert.match(accepted.detail, new RegExp(`1 of 2 leaves fail: ${rejected.id}: rejected at block \\d+`));

    const withLate = await verifyModel(ctx, await publish([good[0]!, late]));
    assert.deepEqual(failing(withLate), ["dataset leaves: accepted"]);
    assert.match(
      checkOf(withLate, "dataset leaves: accepted").detail,
      new RegExp(`${late.id}: accepted at block \\d+, after the dataset block ${datasetBlock}`),
    );
  });

  test("a record whose root is not that of the manifest's leaves fails the root check", async () => {
    const wrong = datasetRoot([good[0]!, good[1]!].map((e) => ({ contribution: e.id, sha256: e.sha256 })));
    const report = await verifyModel(ctx, await publish(good, (record) => ({ ...record, datasetRoot: wrong })));
    assert.deepEqual(failing(report), ["dataset root"]);
    assert.match(
      checkOf(report, "dataset root").detail,
      new RegExp(`the Merkle root of the manifest's 3 leaves is 0x[0-9a-f]{64}, the record's datasetRoot is ${wrong}`),
    );
  });

  test("a forged or misapplied attestor signature does not verify", async () => {
    const [log] = await chain.publicClient.getContractEvents({
      address: registry(),
      abi: modelRegistryAbi,
      eventName: "ModelRegistered",
      args: { modelId: genuineModel },
      fromBlock: 0n,
      strict: true,
    });
    const record = log!.args.record as ModelRecord;
    const genuine = log!.args.signature;
    const check = (input: { record?: ModelRecord; signature?: Hex }) =>
      verifyAttestorSignature(ctx, { record: input.record ?? record, attestor: signer.address, signature: input.signature ?? genuine });
    assert.equal((await check({})).ok, true);

    const forger = await chain.account();
    const forged = await forger.signTypedData(modelTypedData(chain.deployment.chainId, registry(), record));
    const result = await check({ signature: forged });
    assert.equal(result.ok, false);
    assert.match(result.detail, new RegExp(`does not verify for attestor ${signer.address}`));
    assert.equal((await check({ record: { ...record, datasetSize: record.datasetSize + 1 } })).ok, false, "a record altered after signing");
    const otherChain = await signer.signTypedData(modelTypedData(1, registry(), record));
    assert.equal((await check({ signature: otherChain })).ok, false, "signed for another chain");
  });

  test("an EIP-1271 wallet attestor: its signature verifies through the wallet; a role revoked since is noted", async () => {
    const artifact = JSON.parse(readFileSync("artifacts/contracts/test/ERC1271Wallet.sol/ERC1271Wallet.json", "utf8")) as {
      abi: Abi;
      bytecode: Hex;
    };
    const wallet = getAddress(
      (
        await chain.wait(
          await chain.wallet(signer).deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: [signer.address] }),
        )
      ).contractAddress!,
    );
    const grant = (functionName: "grantRole" | "revokeRole") =>
      chain
        .wallet(admin)
        .writeContract({ address: registry(), abi: modelRegistryAbi, functionName, args: [ATTESTOR_ROLE, wallet] })
        .then(chain.wait);
    await grant("grantRole");
    const id = await publish(good, undefined, wallet);
    await grant("revokeRole");
    const report = await verifyModel(ctx, id);
    assert.deepEqual(failing(report), [], JSON.stringify(report, null, 1));
    assert.match(checkOf(report, "attestor signature").detail, new RegExp(`verifies for attestor ${wallet}`));
    assert.match(checkOf(report, "attestor role").detail, new RegExp(`${wallet} held ATTESTOR_ROLE at block \\d+ \\(since revoked\\)`));

    const [log] = await chain.publicClient.getContractEvents({
      address: registry(),
      abi: modelRegistryAbi,
      eventName: "ModelRegistered",
      args: { modelId: id },
      fromBlock: 0n,
      strict: true,
    });
    const stranger = await chain.account();
    const forged = await stranger.signTypedData(modelTypedData(chain.deployment.chainId, registry(), log!.args.record as ModelRecord));
    const check = await verifyAttestorSignature(ctx, {
      record: log!.args.record as ModelRecord,
      attestor: wallet,
      signature: forged,
      blockNumber: log!.blockNumber,
    });
    assert.equal(check.ok, false, "the wallet's isValidSignature refuses a stranger's signature");
  });

  test("content whose bytes do not hash to the recorded SHA-256 fails the contribution and a model containing it", async () => {
    const contribution = await verifyContribution(ctx, swapped.id);
    assert.deepEqual(failing(contribution), ["content"]);
    assert.match(
      checkOf(contribution, "content").detail,
      new RegExp(`content hash changed: .*${swapped.cid.toString()}.* have SHA-256 0x[0-9a-f]{64}, the chain records ${swapped.sha256}`),
    );

    const model = await verifyModel(ctx, await publish([good[0]!, swapped]));
    assert.deepEqual(failing(model), ["dataset leaves: content"]);
    const content = checkOf(model, "dataset leaves: content");
    assert.deepEqual(
      content.failures?.map((f) => f.id),
      [swapped.id],
    );
    assert.match(content.detail, /content hash changed/);
  });

  test("contributions verify with their status, votes and quorum; an unknown one fails 'exists'", async () => {
    const accepted = await verifyContribution(ctx, good[1]!.id);
    assert.equal(accepted.ok, true, JSON.stringify(accepted, null, 1));
    assert.deepEqual(
      accepted.checks.map((c) => c.check),
      ["exists", "contributed", "content", "status", "votes"],
    );
    assert.match(checkOf(accepted, "status").detail, /^accepted at block \d+ with score 80\.00$/);
    assert.match(
      checkOf(accepted, "votes").detail,
      new RegExp(`1 distinct validator\\(s\\) voted accept \\(${v2.address.toLowerCase()}\\); the Datanet's quorum at block \\d+ was 1`),
    );
    assert.equal(accepted.facts.cid, good[1]!.cid.toString());

    const refused = await verifyContribution(ctx, rejected.id);
    assert.equal(refused.ok, true, "a rejected contribution is verified as rejected");
    assert.equal(refused.facts.status, "rejected");
    assert.match(checkOf(refused, "votes").detail, /voted reject/);

    const unknown = await verifyContribution(ctx, `0x${"ab".repeat(32)}`);
    assert.equal(unknown.ok, false);
    assert.deepEqual(
      unknown.checks.map((c) => [c.check, c.ok]),
      [["exists", false]],
    );
    await assert.rejects(verifyContribution(ctx, "0x1234"), (error: unknown) => error instanceof VerifyError && error.kind === "usage");
  });

  test("a flagged model fails with the governor's reason; its parent check holds", async () => {
    const child = await publish(good, (record) => ({ ...record, parentId: genuineModel }));
    await chain.wait(
      await chain.wallet(admin).writeContract({
        address: registry(),
        abi: modelRegistryAbi,
        functionName: "flagModel",
        args: [child, "trained on infringing data"],
      }),
    );
    const report = await verifyModel(ctx, child);
    assert.deepEqual(failing(report), ["not flagged"]);
    assert.match(
      checkOf(report, "not flagged").detail,
      new RegExp(`flagged at block \\d+ by ${admin.address}: "trained on infringing data"`),
    );
    assert.match(checkOf(report, "parent").detail, new RegExp(`parent model ${genuineModel} registered at block \\d+`));
  });

  test("a gateway that sends other bytes is caught by the CID check", async () => {
    // Passes every answer through, with its last byte flipped.
    const liar: Server = createServer(async (request, response) => {
      const upstream = await fetch(`${attestor.url}${request.url}`);
      const body = new Uint8Array(await upstream.arrayBuffer());
      if (body.length > 0) body[body.length - 1]! ^= 0xff;
      response.writeHead(upstream.status, { "content-length": String(body.length) }).end(body);
    });
    await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
    try {
      const lied = await createVerifier({
        deployment: chain.deployment,
        rpcUrl: chain.rpcUrl,
        gateway: `http://127.0.0.1:${(liar.address() as AddressInfo).port}`,
      });
      const report = await verifyModel(lied, genuineModel);
      assert.deepEqual(failing(report), ["adapter", "config", "metrics", "dataset manifest", "dataset leaves"]);
      assert.match(
        checkOf(report, "adapter").detail,
        /^bytes do not match CID b[a-z2-7]+: the gateway sent 4096 bytes whose CID is b[a-z2-7]+$/,
      );
    } finally {
      await new Promise((resolve) => liar.close(resolve));
    }
  });

  test("unknown and malformed model ids: a failing 'registered' check (exit 1) and a usage error (exit 2)", async () => {
    const unknown = await verifyModel(ctx, 999n);
    assert.deepEqual(
      unknown.checks.map((c) => [c.check, c.ok]),
      [["registered", false]],
    );
    assert.match(unknown.checks[0]!.detail, /model 999 is not registered: ModelRegistry 0x[0-9a-fA-F]{40} holds \d+ model\(s\)/);
    for (const bad of ["abc", "0", "-1", "1.5"]) {
      await assert.rejects(
        verifyModel(ctx, bad),
        (error: unknown) => error instanceof VerifyError && error.kind === "usage" && /not a model id/.test((error as Error).message),
      );
    }

    const missing = await cli(["model", "999", "--json"]);
    assert.equal(missing.code, 1, missing.stderr);
    assert.equal((JSON.parse(missing.stdout.trim().split("\n").at(-1)!) as Report).ok, false);
    assert.match(missing.stdout, /✗ registered/);

    const malformed = await cli(["model", "abc"]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /"abc" is not a model id/);
    const usage = await cli(["models", "1"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: npm run verify -- model <id>/);
    const noChain = await cli(["contribution", good[0]!.id], { PROVENA_RPC_URL: "http://127.0.0.1:9" });
    assert.equal(noChain.code, 2);
    assert.match(noChain.stderr, /cannot reach the chain at http:\/\/127\.0\.0\.1:9/);
  });
});
