import { expect } from "chai";
import { getAddress, toHex, zeroAddress } from "viem";
import { modalityCode, DEFAULT_LIMITS, MB } from "@provena/common";
import { createDatanet, deployProvena, networkHelpers, viem, type Provena } from "../helpers/provena.js";

describe("DatanetRegistry", () => {
  let p: Provena;
  beforeEach(async () => {
    p = await networkHelpers.loadFixture(deployProvena);
  });

  const params = (overrides: Record<string, unknown> = {}) => ({
    name: "Medical notes",
    metadataCid: toHex("bafy-meta"),
    modality: modalityCode("text"),
    validators: [p.validators[0]!.address, p.validators[1]!.address],
    quorum: 2,
    dailyByteCap: 0n,
    isPublic: true,
    ...overrides,
  });

  it("creates a Datanet with its validators and emits every event", async () => {
    const tx = p.registry.write.createDatanet([params()], { account: p.owner.account });
    await viem.assertions.emitWithArgs(tx, p.registry, "DatanetCreated", [
      1n,
      p.owner.account.address,
      0,
      "Medical notes",
      toHex("bafy-meta"),
      2,
      0n,
      true,
    ]);
    const datanet = await p.registry.read.getDatanet([1n]);
    expect(datanet.owner).to.equal(getAddress(p.owner.account.address));
    expect(datanet.validatorCount).to.equal(2);
    expect(await p.registry.read.isValidator([1n, p.validators[1]!.address])).to.equal(true);
    expect(await p.registry.read.isValidator([1n, p.alice.account.address])).to.equal(false);
  });

  it("refuses bad creation parameters with named errors", async () => {
    const create = (o: Record<string, unknown>) => p.registry.write.createDatanet([params(o) as never], { account: p.owner.account });
    await viem.assertions.revertWithCustomError(create({ name: "" }), p.registry, "InvalidName");
    await viem.assertions.revertWithCustomError(create({ name: "x".repeat(101) }), p.registry, "InvalidName");
    await viem.assertions.revertWithCustomError(create({ metadataCid: "0x" }), p.registry, "InvalidMetadataCid");
    await viem.assertions.revertWithCustomErrorWithArgs(create({ modality: 3 }), p.registry, "InvalidModality", [3]);
    await viem.assertions.revertWithCustomErrorWithArgs(create({ quorum: 0 }), p.registry, "InvalidQuorum", [0, 2n]);
    await viem.assertions.revertWithCustomErrorWithArgs(create({ quorum: 3 }), p.registry, "InvalidQuorum", [3, 2n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      create({ validators: [p.validators[0]!.address, p.validators[0]!.address] }),
      p.registry,
      "ValidatorAlreadyAdded",
      [1n, p.validators[0]!.address],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(create({ validators: [zeroAddress], quorum: 1 }), p.registry, "InvalidValidator", [
      zeroAddress,
    ]);
    const many = Array.from({ length: 33 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);
    await viem.assertions.revertWithCustomErrorWithArgs(create({ validators: many, quorum: 1 }), p.registry, "TooManyValidators", [
      33n,
      32n,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      create({ dailyByteCap: BigInt(DEFAULT_LIMITS.dailyBytes + 1) }),
      p.registry,
      "DailyByteCapAboveProtocol",
      [BigInt(DEFAULT_LIMITS.dailyBytes + 1), BigInt(DEFAULT_LIMITS.dailyBytes)],
    );
    expect(await p.registry.read.datanetCount()).to.equal(0n);
  });

  it("lets only the owner edit metadata, validators, quorum, cap, visibility and allow-list", async () => {
    const id = await createDatanet(p, { validators: [p.validators[0]!.address] });
    const asOwner = { account: p.owner.account };
    const asAlice = { account: p.alice.account };
    const notOwner = [id, p.alice.account.address] as const;

    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.setMetadata([id, toHex("new")], asAlice),
      p.registry,
      "NotDatanetOwner",
      [...notOwner],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(p.registry.write.setQuorum([id, 1], asAlice), p.registry, "NotDatanetOwner", [
      ...notOwner,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.addValidators([id, [p.alice.account.address]], asAlice),
      p.registry,
      "NotDatanetOwner",
      [...notOwner],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.setAllowList([id, [p.alice.account.address], true], asAlice),
      p.registry,
      "NotDatanetOwner",
      [...notOwner],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.setMetadata([99n, toHex("new")], asAlice),
      p.registry,
      "UnknownDatanet",
      [99n],
    );

    await viem.assertions.emitWithArgs(
      p.registry.write.setMetadata([id, toHex("bafy-v2")], asOwner),
      p.registry,
      "DatanetMetadataUpdated",
      [id, toHex("bafy-v2")],
    );
    await viem.assertions.emitWithArgs(
      p.registry.write.addValidators([id, [p.validators[1]!.address, p.validators[2]!.address]], asOwner),
      p.registry,
      "ValidatorAdded",
      [id, p.validators[2]!.address],
    );
    await viem.assertions.emitWithArgs(p.registry.write.setQuorum([id, 3], asOwner), p.registry, "QuorumUpdated", [id, 3]);
    await viem.assertions.revertWithCustomErrorWithArgs(p.registry.write.setQuorum([id, 4], asOwner), p.registry, "InvalidQuorum", [4, 3n]);
    // Removing a validator must not leave fewer validators than the quorum.
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.removeValidators([id, [p.validators[2]!.address]], asOwner),
      p.registry,
      "InvalidQuorum",
      [3, 2n],
    );
    await p.registry.write.setQuorum([id, 2], asOwner);
    await viem.assertions.emitWithArgs(
      p.registry.write.removeValidators([id, [p.validators[2]!.address]], asOwner),
      p.registry,
      "ValidatorRemoved",
      [id, p.validators[2]!.address],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.removeValidators([id, [p.validators[2]!.address]], asOwner),
      p.registry,
      "NotAValidator",
      [id, p.validators[2]!.address],
    );
    expect((await p.registry.read.getDatanet([id])).validatorCount).to.equal(2);

    await viem.assertions.emitWithArgs(p.registry.write.setDailyByteCap([id, BigInt(2 * MB)], asOwner), p.registry, "DailyByteCapUpdated", [
      id,
      BigInt(2 * MB),
    ]);
    await viem.assertions.emitWithArgs(p.registry.write.setPublic([id, false], asOwner), p.registry, "VisibilityUpdated", [id, false]);
    await viem.assertions.emitWithArgs(
      p.registry.write.setAllowList([id, [p.alice.account.address], true], asOwner),
      p.registry,
      "AllowListUpdated",
      [id, p.alice.account.address, true],
    );
    expect(await p.registry.read.isAllowListed([id, p.alice.account.address])).to.equal(true);
  });

  it("transfers ownership in two steps", async () => {
    const id = await createDatanet(p);
    await viem.assertions.emitWithArgs(
      p.registry.write.transferOwnership([id, p.alice.account.address], { account: p.owner.account }),
      p.registry,
      "OwnershipTransferStarted",
      [id, p.owner.account.address, p.alice.account.address],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.acceptOwnership([id], { account: p.bob.account }),
      p.registry,
      "NotPendingOwner",
      [id, p.bob.account.address],
    );
    await viem.assertions.emitWithArgs(
      p.registry.write.acceptOwnership([id], { account: p.alice.account }),
      p.registry,
      "OwnershipTransferred",
      [id, p.owner.account.address, p.alice.account.address],
    );
    expect((await p.registry.read.getDatanet([id])).owner).to.equal(getAddress(p.alice.account.address));
    await viem.assertions.revertWithCustomError(
      p.registry.write.setPublic([id, false], { account: p.owner.account }),
      p.registry,
      "NotDatanetOwner",
    );
  });

  it("gates protocol limits and pause behind roles, with events", async () => {
    const limits = { maxFileBytes: 2 * MB, dailyBytes: BigInt(4 * MB), dailyFiles: 5 };
    await viem.assertions.revertWithCustomError(
      p.registry.write.setLimits([limits], { account: p.alice.account }),
      p.registry,
      "AccessControlUnauthorizedAccount",
    );
    await viem.assertions.emitWithArgs(p.registry.write.setLimits([limits]), p.registry, "LimitsUpdated", [2 * MB, BigInt(4 * MB), 5]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.setLimits([{ maxFileBytes: 2 * MB, dailyBytes: BigInt(MB), dailyFiles: 5 }]),
      p.registry,
      "InvalidLimits",
      [2 * MB, BigInt(MB), 5],
    );
    await viem.assertions.revertWithCustomError(
      p.registry.write.pause({ account: p.alice.account }),
      p.registry,
      "AccessControlUnauthorizedAccount",
    );
    await viem.assertions.emit(p.registry.write.pause(), p.registry, "Paused");
    await viem.assertions.revertWithCustomError(
      p.registry.write.createDatanet([params()], { account: p.owner.account }),
      p.registry,
      "EnforcedPause",
    );
    await viem.assertions.emit(p.registry.write.unpause(), p.registry, "Unpaused");
    await p.registry.write.createDatanet([params()], { account: p.owner.account });
  });
});
