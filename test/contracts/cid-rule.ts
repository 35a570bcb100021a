/**
 * The one CID-length rule (`contracts/Common.sol`) at its bounds in each contract: at most 128 bytes
 * everywhere; at least 1 byte for a contributed file and a Datanet's metadata, at least 2 for a model's CIDs.
 */
import { expect } from "chai";
import { getAddress, keccak256, toHex, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { modalityCode, baseModelId, datasetTree, signedModel, type ModelRecord } from "@provena/common";
import { createDatanet, deployProvena, item, networkHelpers, viem, type Provena } from "../helpers/provena.js";

const bytesOf = (length: number): Hex => toHex(new Uint8Array(length).fill(0xab));

describe("Common: the CID-length rule in each contract", () => {
  let p: Provena;
  beforeEach(async () => {
    p = await networkHelpers.loadFixture(deployProvena);
  });

  it("states the same maximum in every contract", async () => {
    const maxima = [await p.ledger.read.MAX_CID_BYTES(), await p.registry.read.MAX_CID_BYTES(), await p.models.read.MAX_CID_BYTES()];
    expect(maxima).to.deep.equal([128n, 128n, 128n]);
  });

  it("ContributionLedger: a file's CID of 1..128 bytes", async () => {
    const text = await createDatanet(p, { modality: "text" });
    const contribute = (cid: Hex) => p.ledger.write.contribute([text, [{ ...item(5), cid }]], { account: p.alice.account });
    await contribute(bytesOf(1));
    await contribute(bytesOf(128));
    await viem.assertions.revertWithCustomErrorWithArgs(contribute(bytesOf(129)), p.ledger, "InvalidCid", [0n]);
    await viem.assertions.revertWithCustomErrorWithArgs(contribute("0x"), p.ledger, "InvalidCid", [0n]);
  });

  it("DatanetRegistry: a metadata CID of 1..128 bytes", async () => {
    const create = (metadataCid: Hex) =>
      p.registry.write.createDatanet(
        [
          {
            name: "CID bounds",
            metadataCid,
            modality: modalityCode("text"),
            validators: [p.validators[0]!.address],
            quorum: 1,
            dailyByteCap: 0n,
            isPublic: true,
          },
        ],
        { account: p.owner.account },
      );
    await create(bytesOf(1));
    await create(bytesOf(128));
    await viem.assertions.revertWithCustomError(create(bytesOf(129)), p.registry, "InvalidMetadataCid");
    await p.registry.write.setMetadata([1n, bytesOf(1)], { account: p.owner.account });
    await viem.assertions.revertWithCustomError(
      p.registry.write.setMetadata([1n, bytesOf(129)], { account: p.owner.account }),
      p.registry,
      "InvalidMetadataCid",
    );
  });

  it("ModelRegistry: each CID of 2..128 bytes", async () => {
    const attestor = privateKeyToAccount(generatePrivateKey());
    await p.models.write.grantRole([keccak256(toHex("ATTESTOR_ROLE")), attestor.address], { account: p.admin.account });
    const sha = (label: string): Hex => keccak256(toHex(label));
    const leaves = [{ contribution: sha("contribution"), sha256: sha("content") }];
    const register = async (cids: Partial<ModelRecord>) => {
      const block = await p.publicClient.getBlock();
      const record: ModelRecord = {
        baseModelId: baseModelId("tiny/llama"),
        baseWeightsHash: sha("weights"),
        adapterHash: sha(`adapter ${Math.random()}`),
        adapterCid: bytesOf(36),
        datasetRoot: datasetTree(leaves).root as Hex,
        datasetCid: bytesOf(36),
        datasetBlock: block.number,
        datasetSize: leaves.length,
        configHash: sha("config"),
        configCid: bytesOf(36),
        metricsHash: sha("metrics"),
        metricsCid: bytesOf(36),
        parentId: 0n,
        creator: getAddress(p.alice.account.address),
        deadline: block.timestamp + 3_600n,
        ...cids,
      };
      return p.models.write.registerModel([...(await signedModel(attestor, p.chainId, p.models.address, record))], {
        account: p.relayer.account,
      });
    };
    await register({ adapterCid: bytesOf(2), datasetCid: bytesOf(128) });
    for (const field of ["adapterCid", "datasetCid", "configCid", "metricsCid"] as const) {
      await viem.assertions.revertWithCustomErrorWithArgs(register({ [field]: bytesOf(1) }), p.models, "InvalidRecord", [field]);
      await viem.assertions.revertWithCustomErrorWithArgs(register({ [field]: bytesOf(129) }), p.models, "InvalidRecord", [field]);
    }
  });
});
