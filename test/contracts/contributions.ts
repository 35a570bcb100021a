import { expect } from "chai";
import { concatHex, encodeFunctionData, getAddress, hashTypedData, keccak256, parseEventLogs, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  DAY_SECONDS,
  DEFAULT_LIMITS,
  MB,
  utcDay,
  fileTypeByName,
  modalityCode,
  Status,
  contributionId,
  receiptTypedData,
  signedReceipt,
} from "@provena/common";
import { createDatanet, deployProvena, item, networkHelpers, viem, type Provena } from "../helpers/provena.js";

describe("ContributionLedger: contributions and daily limits", () => {
  let p: Provena;
  let text: bigint;
  beforeEach(async () => {
    p = await networkHelpers.loadFixture(deployProvena);
    text = await createDatanet(p, { modality: "text" });
  });
  const asAlice = () => ({ account: p.alice.account });

  const contributedEvents = async (hash: `0x${string}`) => {
    const receipt = await p.publicClient.waitForTransactionReceipt({ hash });
    return parseEventLogs({ abi: p.ledger.abi, logs: receipt.logs, eventName: "Contributed" });
  };

  it("records a contribution in one slot with its event, and reports the allowance left", async () => {
    const file = item(1234, "md");
    const id = contributionId(text, file.contentHash);
    const [event] = await contributedEvents(await p.ledger.write.contribute([text, [file]], asAlice()));
    expect(event?.args).to.deep.equal({ datanetId: text, contributor: getAddress(p.alice.account.address), items: [file] });
    const stored = await p.ledger.read.getContribution([id]);
    expect(stored).to.deep.equal({
      contributor: getAddress(p.alice.account.address),
      datanetId: Number(text),
      fileType: fileTypeByName("md").code,
      status: Status.Pending,
      score: 0,
      accepts: 0,
      rejects: 0,
      acceptScoreSum: 0,
    });
    expect(await p.ledger.read.contributionId([text, file.contentHash])).to.equal(id);
    const [bytesLeft, filesLeft, resetsAt] = await p.ledger.read.allowance([p.alice.account.address, text]);
    expect(bytesLeft).to.equal(BigInt(DEFAULT_LIMITS.dailyBytes - 1234));
    expect(filesLeft).to.equal(19n);
    expect(resetsAt).to.equal(BigInt((utcDay(await networkHelpers.time.latest()) + 1) * DAY_SECONDS));
  });

  it("emits one event per batch whose items decode to exactly what was checked, even from non-canonical calldata", async () => {
    const files = [item(10, "txt"), { ...item(20, "md"), cid: `0x${"ab".repeat(100)}` as const }, item(30, "pdf")];
    const data = encodeFunctionData({ abi: p.ledger.abi, functionName: "contribute", args: [text, files] });
    // Trailing bytes after the canonical encoding: the ABI decoder ignores them, and so must the event.
    const hash = await p.alice.sendTransaction({ to: p.ledger.address, data: concatHex([data, `0x${"ff".repeat(64)}`]) });
    const [event] = await contributedEvents(hash);
    expect(event?.args.items).to.deep.equal(files);
    for (const file of files) {
      const stored = await p.ledger.read.getContribution([contributionId(text, file.contentHash)]);
      expect(stored.fileType).to.equal(file.fileType);
    }
  });

  it("refuses a file type of another modality", async () => {
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([text, [item(10, "txt"), item(10, "png")]], asAlice()),
      p.ledger,
      "FileTypeNotAllowed",
      [1n, fileTypeByName("png").code, modalityCode("text")],
    );
    const image = await createDatanet(p, { modality: "image" });
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([image, [item(10, "wav")]], asAlice()),
      p.ledger,
      "FileTypeNotAllowed",
      [0n, fileTypeByName("wav").code, modalityCode("image")],
    );
    // An unknown code in the modality's range is refused too.
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([image, [{ ...item(10, "png"), fileType: 0x15 }]], asAlice()),
      p.ledger,
      "FileTypeNotAllowed",
      [0n, 0x15, modalityCode("image")],
    );
    await p.ledger.write.contribute(
      [image, [item(10, "png"), item(10, "jpeg"), item(10, "webp"), item(10, "tiff"), item(10, "bmp")]],
      asAlice(),
    );
    const audio = await createDatanet(p, { modality: "audio" });
    await p.ledger.write.contribute([audio, [item(10, "wav"), item(10, "mp3"), item(10, "flac")]], asAlice());
  });

  it("refuses 5 MB + 1 byte, accepts exactly 5 MB, refuses an empty file and a bad CID", async () => {
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([text, [item(5 * MB + 1)]], asAlice()),
      p.ledger,
      "FileTooLarge",
      [0n, BigInt(5 * MB + 1), BigInt(5 * MB)],
    );
    await p.ledger.write.contribute([text, [item(5 * MB)]], asAlice());
    await viem.assertions.revertWithCustomErrorWithArgs(p.ledger.write.contribute([text, [item(0)]], asAlice()), p.ledger, "EmptyFile", [
      0n,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([text, [{ ...item(5), cid: "0x" }]], asAlice()),
      p.ledger,
      "InvalidCid",
      [0n],
    );
  });

  it("refuses an empty batch and a batch of 21", async () => {
    await viem.assertions.revertWithCustomError(p.ledger.write.contribute([text, []], asAlice()), p.ledger, "EmptyBatch");
    const items = Array.from({ length: 21 }, () => item(1));
    await viem.assertions.revertWithCustomErrorWithArgs(p.ledger.write.contribute([text, items], asAlice()), p.ledger, "BatchTooLarge", [
      21n,
      20n,
    ]);
  });

  it("refuses the 21st file of the day, across Datanets, and nothing of the batch is recorded", async () => {
    const other = await createDatanet(p);
    await p.ledger.write.contribute([text, Array.from({ length: 12 }, () => item(1))], asAlice());
    await p.ledger.write.contribute([other, Array.from({ length: 8 }, () => item(1))], asAlice());
    const extra = item(1);
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([other, [extra]], asAlice()),
      p.ledger,
      "DailyFileLimitExceeded",
      [1n, 0n],
    );
    expect((await p.ledger.read.getContribution([contributionId(other, extra.contentHash)])).status).to.equal(Status.None);
    // Another contributor is not affected.
    await p.ledger.write.contribute([other, [extra]], { account: p.bob.account });
  });

  it("refuses bytes over the daily limit across two Datanets, and over a Datanet's own cap", async () => {
    const other = await createDatanet(p);
    await p.ledger.write.contribute([text, [item(5 * MB), item(3 * MB)]], asAlice());
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([other, [item(2 * MB + 1)]], asAlice()),
      p.ledger,
      "DailyByteLimitExceeded",
      [BigInt(2 * MB + 1), BigInt(2 * MB)],
    );
    await p.ledger.write.contribute([other, [item(2 * MB)]], asAlice());

    const capped = await createDatanet(p, { dailyByteCap: BigInt(MB) });
    await p.ledger.write.contribute([capped, [item(MB / 2)]], { account: p.bob.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([capped, [item(MB / 2), item(1)]], { account: p.bob.account }),
      p.ledger,
      "DatanetByteCapExceeded",
      [capped, BigInt(MB / 2 + 1), BigInt(MB / 2)],
    );
    const [bytesLeft] = await p.ledger.read.allowance([p.bob.account.address, capped]);
    expect(bytesLeft).to.equal(BigInt(MB / 2));
  });

  it("keeps a Datanet's own cap when governance raises the protocol's daily limit during the day", async () => {
    const dailyFiles = DEFAULT_LIMITS.dailyFiles;
    // Governance lowers the protocol's limit (1 MB) below the Datanet's cap (2 MB) overnight, and raises it to 10 MB at noon.
    const capped = await createDatanet(p, { dailyByteCap: BigInt(2 * MB) });
    await p.registry.write.setLimits([{ maxFileBytes: MB, dailyBytes: BigInt(MB), dailyFiles }]);
    await p.ledger.write.contribute([capped, [item(MB)]], asAlice());
    await p.registry.write.setLimits([{ maxFileBytes: 5 * MB, dailyBytes: BigInt(10 * MB), dailyFiles }]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([capped, [item(1.5 * MB)]], asAlice()),
      p.ledger,
      "DatanetByteCapExceeded",
      [capped, BigInt(1.5 * MB), BigInt(MB)],
    );
    await p.ledger.write.contribute([capped, [item(MB)]], asAlice());
    const [bytesLeft] = await p.ledger.read.allowance([p.alice.account.address, capped]);
    expect(bytesLeft).to.equal(0n);
  });

  it("restores the allowance at 00:00 UTC", async () => {
    const now = await networkHelpers.time.latest();
    const midnight = (utcDay(now) + 1) * DAY_SECONDS;
    await networkHelpers.time.setNextBlockTimestamp(midnight - 10);
    await p.ledger.write.contribute([text, Array.from({ length: 20 }, () => item(MB / 2))], asAlice());
    await viem.assertions.revertWithCustomError(
      p.ledger.write.contribute([text, [item(1)]], asAlice()),
      p.ledger,
      "DailyFileLimitExceeded",
    );
    let [, filesLeft, resetsAt] = await p.ledger.read.allowance([p.alice.account.address, text]);
    expect(filesLeft).to.equal(0n);
    expect(resetsAt).to.equal(BigInt(midnight));

    await networkHelpers.time.increaseTo(midnight);
    [, filesLeft] = await p.ledger.read.allowance([p.alice.account.address, text]);
    expect(filesLeft).to.equal(20n);
    await p.ledger.write.contribute([text, Array.from({ length: 20 }, () => item(MB / 2))], asAlice());
  });

  it("refuses the same content twice in a Datanet, within a batch too, and allows it in another", async () => {
    const file = item(100);
    await p.ledger.write.contribute([text, [file]], asAlice());
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([text, [file]], { account: p.bob.account }),
      p.ledger,
      "DuplicateContent",
      [text, file.contentHash],
    );
    const twin = item(100);
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([text, [twin, twin]], asAlice()),
      p.ledger,
      "DuplicateContent",
      [text, twin.contentHash],
    );
    const other = await createDatanet(p);
    await p.ledger.write.contribute([other, [file]], asAlice());
  });

  it("admits only allow-listed contributors to a Datanet that is not public", async () => {
    const closed = await createDatanet(p, { isPublic: false });
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([closed, [item(1)]], asAlice()),
      p.ledger,
      "NotAllowListed",
      [closed, p.alice.account.address],
    );
    await p.registry.write.setAllowList([closed, [p.alice.account.address], true], { account: p.owner.account });
    await p.ledger.write.contribute([closed, [item(1)]], asAlice());
  });

  it("refuses an unknown Datanet, and every contribution while paused", async () => {
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.ledger.write.contribute([42n, [item(1)]], asAlice()),
      p.registry,
      "UnknownDatanet",
      [42n],
    );
    await p.registry.write.pause();
    await viem.assertions.revertWithCustomError(p.ledger.write.contribute([text, [item(1)]], asAlice()), p.registry, "EnforcedPause");
    await p.registry.write.unpause();
    await p.ledger.write.contribute([text, [item(1)]], asAlice());
  });

  it("applies limits that governance changes, from the next contribution on", async () => {
    await p.registry.write.setLimits([{ maxFileBytes: MB, dailyBytes: BigInt(2 * MB), dailyFiles: 3 }]);
    await viem.assertions.revertWithCustomError(p.ledger.write.contribute([text, [item(MB + 1)]], asAlice()), p.ledger, "FileTooLarge");
    await viem.assertions.revertWithCustomError(
      p.ledger.write.contribute([text, [item(1), item(1), item(1), item(1)]], asAlice()),
      p.ledger,
      "DailyFileLimitExceeded",
    );
    await p.ledger.write.contribute([text, [item(MB), item(MB)]], asAlice());
    await viem.assertions.revertWithCustomError(
      p.ledger.write.contribute([text, [item(1)]], asAlice()),
      p.ledger,
      "DailyByteLimitExceeded",
    );
  });

  describe("upload receipts", () => {
    const gateway = privateKeyToAccount(generatePrivateKey());
    const GATEWAY_ROLE = keccak256(toHex("GATEWAY_ROLE"));
    let guarded: bigint;
    beforeEach(async () => {
      await p.registry.write.grantRole([GATEWAY_ROLE, gateway.address], { account: p.admin.account });
      guarded = await createDatanet(p);
      await viem.assertions.emitWithArgs(
        p.registry.write.setReceiptRequired([guarded, true], { account: p.owner.account }),
        p.registry,
        "ReceiptRequirementUpdated",
        [guarded, true],
      );
    });
    const receipt = async (
      contributor: `0x${string}`,
      items: ReturnType<typeof item>[],
      overrides: { deadline?: bigint; datanet?: bigint; signer?: typeof gateway } = {},
    ) =>
      signedReceipt(overrides.signer ?? gateway, p.chainId, p.ledger.address, {
        contributor,
        datanetId: overrides.datanet ?? guarded,
        items,
        deadline: overrides.deadline ?? BigInt(await networkHelpers.time.latest()) + 3_600n,
      });

    it("a Datanet that asks for receipts refuses a plain contribute, and a copied pending contribute cannot take the credit", async () => {
      const items = [item(100), item(200)];
      await viem.assertions.revertWithCustomErrorWithArgs(
        p.ledger.write.contribute([guarded, items], asAlice()),
        p.ledger,
        "ReceiptRequired",
        [guarded],
      );
      const alices = await receipt(p.alice.account.address, items);
      // Bob copies Alice's pending transaction, receipt and all: the receipt names Alice.
      await viem.assertions.revertWithCustomErrorWithArgs(
        p.ledger.write.contributeWithReceipt([guarded, items, alices], { account: p.bob.account }),
        p.ledger,
        "InvalidReceipt",
        [getAddress(gateway.address)],
      );
      const hash = await p.ledger.write.contributeWithReceipt([guarded, items, alices], asAlice());
      const [event] = await contributedEvents(hash);
      expect(event?.args.contributor).to.equal(getAddress(p.alice.account.address));
      // Once is enough: the same receipt again is a duplicate.
      await viem.assertions.revertWithCustomError(
        p.ledger.write.contributeWithReceipt([guarded, items, alices], asAlice()),
        p.ledger,
        "DuplicateContent",
      );
    });

    it("refuses a receipt past its deadline, from a non-gateway, for other items or another Datanet; its digest is the one common signs", async () => {
      const items = [item(300)];
      const late = await receipt(p.alice.account.address, items, { deadline: BigInt(await networkHelpers.time.latest()) - 1n });
      await viem.assertions.revertWithCustomErrorWithArgs(
        p.ledger.write.contributeWithReceipt([guarded, items, late], asAlice()),
        p.ledger,
        "ReceiptExpired",
        [late.deadline],
      );
      const stranger = privateKeyToAccount(generatePrivateKey());
      const forged = await receipt(p.alice.account.address, items, { signer: stranger });
      await viem.assertions.revertWithCustomErrorWithArgs(
        p.ledger.write.contributeWithReceipt([guarded, items, forged], asAlice()),
        p.ledger,
        "NotGateway",
        [getAddress(stranger.address)],
      );
      const forOthers = await receipt(p.alice.account.address, [item(301)]);
      await viem.assertions.revertWithCustomError(
        p.ledger.write.contributeWithReceipt([guarded, items, forOthers], asAlice()),
        p.ledger,
        "InvalidReceipt",
      );
      const elsewhere = await receipt(p.alice.account.address, items, { datanet: text });
      await viem.assertions.revertWithCustomError(
        p.ledger.write.contributeWithReceipt([guarded, items, elsewhere], asAlice()),
        p.ledger,
        "InvalidReceipt",
      );

      const good = await receipt(p.alice.account.address, items);
      const digest = await p.ledger.read.receiptDigest([p.alice.account.address, guarded, items, good.deadline, gateway.address]);
      expect(digest).to.equal(
        hashTypedData(
          receiptTypedData(p.chainId, p.ledger.address, {
            contributor: p.alice.account.address,
            datanetId: guarded,
            items,
            deadline: good.deadline,
            gateway: gateway.address,
          }),
        ),
      );
      await p.ledger.write.contributeWithReceipt([guarded, items, good], asAlice());
      // A Datanet that does not ask for receipts takes one too, and only its owner may change the rule.
      const plain = [item(302)];
      await p.ledger.write.contributeWithReceipt(
        [text, plain, await receipt(p.alice.account.address, plain, { datanet: text })],
        asAlice(),
      );
      expect((await p.ledger.read.getContribution([contributionId(text, plain[0]!.contentHash)])).status).to.equal(Status.Pending);
      await viem.assertions.revertWithCustomError(
        p.registry.write.setReceiptRequired([guarded, false], { account: p.bob.account }),
        p.registry,
        "NotDatanetOwner",
      );
    });
  });
});
