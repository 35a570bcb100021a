import { expect } from "chai";
import { getAddress, keccak256, toHex, zeroAddress, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { baseModelId, datasetTree, signedModel, type ModelRecord } from "@provena/common";
import { deployProvena, networkHelpers, viem, type Provena } from "../helpers/provena.js";

const sha = (label: string): Hex => keccak256(toHex(label)); // stands in for a SHA-256: any 32 bytes
const cid = (label: string): Hex => toHex(`bafy-${label}`);

describe("ModelRegistry: provenance records", () => {
  let p: Provena;
  const attestor = privateKeyToAccount(generatePrivateKey());
  const ATTESTOR_ROLE = keccak256(toHex("ATTESTOR_ROLE"));

  beforeEach(async () => {
    p = await networkHelpers.loadFixture(deployProvena);
    await p.models.write.grantRole([ATTESTOR_ROLE, attestor.address], { account: p.admin.account });
  });

  const leaves = [1, 2, 3].map((i) => ({ contribution: sha(`contribution ${i}`), sha256: sha(`content ${i}`) }));

  async function record(overrides: Partial<ModelRecord> = {}): Promise<ModelRecord> {
    const block = await p.publicClient.getBlock();
    return {
      baseModelId: baseModelId("tiny/llama"),
      baseWeightsHash: sha("weights"),
      adapterHash: sha(`adapter ${Math.random()}`),
      adapterCid: cid("adapter"),
      datasetRoot: datasetTree(leaves).root as Hex,
      datasetCid: cid("dataset"),
      datasetBlock: block.number,
      datasetSize: leaves.length,
      configHash: sha("config"),
      configCid: cid("config"),
      metricsHash: sha("metrics"),
      metricsCid: cid("metrics"),
      parentId: 0n,
      creator: getAddress(p.alice.account.address),
      deadline: block.timestamp + 3_600n,
      ...overrides,
    };
  }
  const register = async (r: ModelRecord, signer = attestor) =>
    p.models.write.registerModel([...(await signedModel(signer, p.chainId, p.models.address, r))], { account: p.relayer.account });

  it("registers a record signed by an attestor, relayed by anyone, and keeps it", async () => {
    const r = await record();
    const [, , signature] = await signedModel(attestor, p.chainId, p.models.address, r);
    await viem.assertions.emitWithArgs(
      p.models.write.registerModel([r, attestor.address, signature], { account: p.relayer.account }),
      p.models,
      "ModelRegistered",
      [1n, getAddress(attestor.address), getAddress(r.creator), r as never, signature],
    );
    const stored = await p.models.read.getModel([1n]);
    expect(stored.recordHash).to.equal(await p.models.read.modelRecordHash([r]));
    expect([stored.adapterHash, stored.datasetRoot, stored.datasetBlock, stored.attestor, stored.flagged]).to.deep.equal([
      r.adapterHash,
      r.datasetRoot,
      r.datasetBlock,
      getAddress(attestor.address),
      false,
    ]);
    expect(await p.models.read.modelByAdapter([r.adapterHash])).to.equal(1n);
    // The digest the attestor signs is the contract's own.
    const tree = datasetTree(leaves);
    for (const [i, leaf] of tree.entries()) {
      expect(await p.models.read.isInDataset([1n, leaf[0] as Hex, leaf[1] as Hex, tree.getProof(i) as Hex[]])).to.equal(true);
    }
    expect(await p.models.read.isInDataset([1n, sha("contribution 9"), sha("content 9"), tree.getProof(0) as Hex[]])).to.equal(false);
  });

  it("refuses a replayed signature, a second model of the same adapter, and a signature past its deadline", async () => {
    const r = await record();
    const args = await signedModel(attestor, p.chainId, p.models.address, r);
    await p.models.write.registerModel([...args], { account: p.relayer.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.models.write.registerModel([...args], { account: p.outsider.account }),
      p.models,
      "DuplicateModel",
      [r.adapterHash, 1n],
    );
    const late = await record({ deadline: BigInt((await p.publicClient.getBlock()).timestamp) - 1n });
    await viem.assertions.revertWithCustomErrorWithArgs(register(late), p.models, "SignatureExpired", [late.deadline]);
  });

  it("refuses a signer without the attestor role, a forged signature, and a record changed after signing", async () => {
    const stranger = privateKeyToAccount(generatePrivateKey());
    await viem.assertions.revertWithCustomErrorWithArgs(register(await record(), stranger), p.models, "NotAttestor", [
      getAddress(stranger.address),
    ]);
    const r = await record();
    const [, , signature] = await signedModel(stranger, p.chainId, p.models.address, r);
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.models.write.registerModel([r, attestor.address, signature], { account: p.relayer.account }),
      p.models,
      "InvalidSignature",
      [getAddress(attestor.address)],
    );
    const [signed, , good] = await signedModel(attestor, p.chainId, p.models.address, r);
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.models.write.registerModel([{ ...signed, metricsHash: sha("better metrics") }, attestor.address, good], {
        account: p.relayer.account,
      }),
      p.models,
      "InvalidSignature",
      [getAddress(attestor.address)],
    );
    // Signed for another chain: the domain's chain id does not match.
    const [, , otherChain] = await signedModel(attestor, p.chainId + 1, p.models.address, r);
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.models.write.registerModel([r, attestor.address, otherChain], { account: p.relayer.account }),
      p.models,
      "InvalidSignature",
      [getAddress(attestor.address)],
    );
  });

  it("accepts an EIP-1271 contract attestor", async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const wallet = await viem.deployContract("ERC1271Wallet", [owner.address]);
    await p.models.write.grantRole([ATTESTOR_ROLE, wallet.address], { account: p.admin.account });
    const r = await record();
    const [, , signature] = await signedModel(owner, p.chainId, p.models.address, r);
    await viem.assertions.emit(
      p.models.write.registerModel([r, wallet.address, signature], { account: p.relayer.account }),
      p.models,
      "ModelRegistered",
    );
  });

  it("checks the record: fields, CIDs, a dataset block already mined, a known parent", async () => {
    const cases: [string, Partial<ModelRecord>][] = [
      ["baseModelId", { baseModelId: `0x${"0".repeat(64)}` }],
      ["adapterHash", { adapterHash: `0x${"0".repeat(64)}` }],
      ["datasetRoot", { datasetSize: 0 }],
      ["configHash", { configHash: `0x${"0".repeat(64)}` }],
      ["creator", { creator: zeroAddress }],
      ["adapterCid", { adapterCid: "0x" }],
      ["metricsCid", { metricsCid: toHex(new Uint8Array(129)) }],
    ];
    for (const [field, change] of cases) {
      await viem.assertions.revertWithCustomErrorWithArgs(register(await record(change)), p.models, "InvalidRecord", [field]);
    }
    const future = await record({ datasetBlock: (await p.publicClient.getBlockNumber()) + 5n });
    await viem.assertions.revertWithCustomErrorWithArgs(register(future), p.models, "InvalidRecord", ["datasetBlock"]);
    await viem.assertions.revertWithCustomErrorWithArgs(register(await record({ parentId: 7n })), p.models, "UnknownModel", [7n]);
    // A refinement names its parent.
    await register(await record());
    await viem.assertions.emit(register(await record({ parentId: 1n })), p.models, "ModelRegistered");
    expect((await p.models.read.getModel([2n])).parentId).to.equal(1n);
  });

  it("stops registrations while paused by its pauser; flags go on; nobody else may pause", async () => {
    await register(await record());
    await viem.assertions.revertWithCustomError(
      p.models.write.pause({ account: p.outsider.account }),
      p.models,
      "AccessControlUnauthorizedAccount",
    );
    await viem.assertions.emit(p.models.write.pause({ account: p.admin.account }), p.models, "Paused");
    const signedWhilePaused = await record();
    await viem.assertions.revertWithCustomError(register(signedWhilePaused), p.models, "EnforcedPause");
    await p.models.write.flagModel([1n, "leaked attestor key"], { account: p.admin.account });
    expect((await p.models.read.getModel([1n])).flagged).to.equal(true);
    await p.models.write.unpause({ account: p.admin.account });
    await viem.assertions.emit(register(signedWhilePaused), p.models, "ModelRegistered");
  });

  it("lets governance flag a model with a reason and clear it; nobody else", async () => {
    await register(await record());
    await viem.assertions.revertWithCustomError(
      p.models.write.flagModel([1n, "infringing data"], { account: p.outsider.account }),
      p.models,
      "AccessControlUnauthorizedAccount",
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.models.write.flagModel([2n, "x"], { account: p.admin.account }),
      p.models,
      "UnknownModel",
      [2n],
    );
    await viem.assertions.revertWithCustomError(
      p.models.write.flagModel([1n, ""], { account: p.admin.account }),
      p.models,
      "InvalidReason",
    );
    await viem.assertions.emitWithArgs(
      p.models.write.flagModel([1n, "infringing data"], { account: p.admin.account }),
      p.models,
      "ModelFlagged",
      [1n, getAddress(p.admin.account.address), "infringing data"],
    );
    expect((await p.models.read.getModel([1n])).flagged).to.equal(true);
    await viem.assertions.emit(p.models.write.clearFlag([1n], { account: p.admin.account }), p.models, "ModelFlagCleared");
    expect((await p.models.read.getModel([1n])).flagged).to.equal(false);
  });
});
