import { expect } from "chai";
import { ContractFunctionRevertedError, getAddress } from "viem";
import { Reason, Status, contributionId } from "@provena/common";
import ProvenaModule from "../../ignition/modules/Provena.js";
import { createDatanet, deployProvena, ignition, item, networkHelpers, signVerdict, viem, type Provena } from "../helpers/provena.js";

describe("ContributionLedger: verdicts and quorum", () => {
  let p: Provena;
  let v0: Provena["validators"][number], v1: typeof v0, v2: typeof v0, v3: typeof v0;

  beforeEach(async () => {
    p = await networkHelpers.loadFixture(deployProvena);
    [v0, v1, v2, v3] = p.validators as [typeof v0, typeof v0, typeof v0, typeof v0];
  });

  /** A Datanet with the given quorum over v0..v2, and `count` pending contributions from alice. */
  async function pending(quorum: number, count = 1) {
    const datanet = await createDatanet(p, { validators: [v0.address, v1.address, v2.address], quorum });
    const items = Array.from({ length: count }, () => item(100));
    await p.ledger.write.contribute([datanet, items], { account: p.alice.account });
    return { datanet, ids: items.map((i) => contributionId(datanet, i.contentHash)) };
  }

  const submit = (verdicts: Awaited<ReturnType<typeof signVerdict>>[]) =>
    p.ledger.write.submitVerdicts([verdicts], { account: p.relayer.account });

  it("accepts at quorum 1 from any relayer, with the score in hundredths", async () => {
    const { ids } = await pending(1);
    const id = ids[0]!;
    const tx = submit([await signVerdict(p, v0, { contribution: id, score: 87, reason: Reason.Accepted })]);
    await viem.assertions.emitWithArgs(tx, p.ledger, "VoteCast", [id, v0.address, true, 87, Reason.Accepted]);
    const [finalized] = await p.ledger.getEvents.ContributionFinalized({ id }, { fromBlock: 0n });
    expect(finalized?.args).to.deep.equal({ id, status: Status.Accepted, score: 8700 });
    const stored = await p.ledger.read.getContribution([id]);
    expect(stored.status).to.equal(Status.Accepted);
    expect(stored.score).to.equal(8700);
  });

  it("reaches quorum from mixed verdicts: the score is the mean of the accepting validators", async () => {
    const { ids } = await pending(2);
    const id = ids[0]!;
    await submit([await signVerdict(p, v0, { contribution: id, accept: true, score: 80 })]);
    await submit([await signVerdict(p, v1, { contribution: id, accept: false, score: 10, reason: Reason.LowQuality })]);
    expect((await p.ledger.read.getContribution([id])).status).to.equal(Status.Pending);
    expect(await p.ledger.read.hasVoted([id, v1.address])).to.equal(true);
    await viem.assertions.emitWithArgs(
      submit([await signVerdict(p, v2, { contribution: id, accept: true, score: 71 })]),
      p.ledger,
      "ContributionFinalized",
      [id, Status.Accepted, 7550],
    );
    const stored = await p.ledger.read.getContribution([id]);
    expect([stored.accepts, stored.rejects]).to.deep.equal([2, 1]);
  });

  it("rejects when the quorum rejects; a late vote is skipped, not a revert of the batch", async () => {
    const { ids } = await pending(2, 2);
    const [first, second] = ids as [`0x${string}`, `0x${string}`];
    await viem.assertions.emitWithArgs(
      submit([
        await signVerdict(p, v0, { contribution: first, accept: false }),
        await signVerdict(p, v1, { contribution: first, accept: false }),
      ]),
      p.ledger,
      "ContributionFinalized",
      [first, Status.Rejected, 0],
    );
    const batch = [
      await signVerdict(p, v2, { contribution: first, accept: true }),
      await signVerdict(p, v0, { contribution: second, accept: true, score: 90 }),
      await signVerdict(p, v1, { contribution: second, accept: true, score: 70 }),
    ];
    const tx = submit(batch);
    await viem.assertions.emitWithArgs(tx, p.ledger, "VoteSkipped", [first, v2.address, Status.Rejected]);
    expect((await p.ledger.read.getContribution([first])).status).to.equal(Status.Rejected);
    const stored = await p.ledger.read.getContribution([second]);
    expect([stored.status, stored.score]).to.deep.equal([Status.Accepted, 8000]);
  });

  it("skips a second vote by the same validator while pending, so a front-run verdict cannot sink its batch", async () => {
    const { ids } = await pending(3, 2);
    const [id, other] = [ids[0]!, ids[1]!];
    const first = await signVerdict(p, v0, { contribution: id, accept: true });
    // Someone lands v0's verdict on its own first; the relay's batch with it and another verdict still lands.
    await submit([first]);
    const batch = submit([
      first,
      await signVerdict(p, v0, { contribution: id, accept: false }),
      await signVerdict(p, v0, { contribution: other }),
    ]);
    await viem.assertions.emitWithArgs(batch, p.ledger, "VoteSkipped", [id, v0.address, Status.Pending]);
    const stored = await p.ledger.read.getContribution([id]);
    expect([stored.status, stored.accepts, stored.rejects]).to.deep.equal([Status.Pending, 1, 0]);
    expect((await p.ledger.read.getContribution([other])).accepts).to.equal(1);
    // In one batch too: the second of two votes by v1 is skipped.
    const twice = submit([
      await signVerdict(p, v1, { contribution: id, score: 50 }),
      await signVerdict(p, v1, { contribution: id, score: 60 }),
    ]);
    await viem.assertions.emitWithArgs(twice, p.ledger, "VoteSkipped", [id, v1.address, Status.Pending]);
    expect((await p.ledger.read.getContribution([id])).accepts).to.equal(2);
  });

  it("refuses a signer who is not a validator of the Datanet, and one removed before submission", async () => {
    const { datanet, ids } = await pending(1);
    const id = ids[0]!;
    await viem.assertions.revertWithCustomErrorWithArgs(
      submit([await signVerdict(p, v3, { contribution: id })]),
      p.ledger,
      "NotValidator",
      [datanet, v3.address],
    );
    const signed = await signVerdict(p, v2, { contribution: id });
    await p.registry.write.removeValidators([datanet, [v2.address]], { account: p.owner.account });
    await viem.assertions.revertWithCustomErrorWithArgs(submit([signed]), p.ledger, "NotValidator", [datanet, v2.address]);
    expect((await p.ledger.read.getContribution([id])).status).to.equal(Status.Pending);
  });

  it("refuses a signature replayed on another contribution, chain id, contract, or after its deadline", async () => {
    const { ids } = await pending(1, 2);
    const [first, second] = ids as [`0x${string}`, `0x${string}`];
    const signed = await signVerdict(p, v0, { contribution: first });

    // Another contribution: the signature no longer matches the typed data.
    await viem.assertions.revertWithCustomErrorWithArgs(
      submit([{ ...signed, verdict: { ...signed.verdict, contribution: second } }]),
      p.ledger,
      "InvalidSignature",
      [second, v0.address],
    );
    // Another score, claimed by the relayer.
    await viem.assertions.revertWithCustomError(
      submit([{ ...signed, verdict: { ...signed.verdict, score: 100 } }]),
      p.ledger,
      "InvalidSignature",
    );
    // Another chain id.
    await viem.assertions.revertWithCustomError(
      submit([await signVerdict(p, v0, { contribution: first }, { chainId: 10 })]),
      p.ledger,
      "InvalidSignature",
    );
    // Another contract: a verdict for a second deployment does not count on this one.
    const { ledger: otherLedger } = await ignition.deploy(ProvenaModule, { deploymentId: "second" });
    await viem.assertions.revertWithCustomError(
      submit([await signVerdict(p, v0, { contribution: first }, { ledger: otherLedger.address })]),
      p.ledger,
      "InvalidSignature",
    );
    // A signature claimed for another validator.
    await viem.assertions.revertWithCustomErrorWithArgs(submit([{ ...signed, validator: v1.address }]), p.ledger, "InvalidSignature", [
      first,
      getAddress(v1.address),
    ]);
    // After its deadline.
    const deadline = BigInt(await networkHelpers.time.latest()) + 60n;
    const expiring = await signVerdict(p, v0, { contribution: first, deadline });
    await networkHelpers.time.increaseTo(deadline + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(submit([expiring]), p.ledger, "VerdictExpired", [first, deadline]);

    // The genuine one still works, once.
    await submit([signed]);
    expect((await p.ledger.read.getContribution([first])).status).to.equal(Status.Accepted);
  });

  it("refuses an invalid score, an unknown contribution, and any verdict while paused", async () => {
    const { ids } = await pending(1);
    const id = ids[0]!;
    await viem.assertions.revertWithCustomErrorWithArgs(
      submit([await signVerdict(p, v0, { contribution: id, score: 101 })]),
      p.ledger,
      "InvalidScore",
      [101],
    );
    const unknown = `0x${"ab".repeat(32)}` as const;
    await viem.assertions.revertWithCustomErrorWithArgs(
      submit([await signVerdict(p, v0, { contribution: unknown })]),
      p.ledger,
      "UnknownContribution",
      [unknown],
    );
    await p.registry.write.pause();
    await viem.assertions.revertWithCustomError(submit([await signVerdict(p, v0, { contribution: id })]), p.registry, "EnforcedPause");
  });

  it("finalizes, at anyone's call, contributions whose votes reach a quorum the owner lowered", async () => {
    const { datanet, ids } = await pending(3, 3);
    const [accepted, rejected, short] = ids as [`0x${string}`, `0x${string}`, `0x${string}`];
    await submit([
      await signVerdict(p, v0, { contribution: accepted, score: 90 }),
      await signVerdict(p, v1, { contribution: accepted, score: 70 }),
      await signVerdict(p, v0, { contribution: rejected, accept: false, score: 5, reason: Reason.LowQuality }),
      await signVerdict(p, v1, { contribution: rejected, accept: false, score: 5, reason: Reason.LowQuality }),
    ]);
    const finalize = (batch: `0x${string}`[]) => p.ledger.write.finalize([batch], { account: p.outsider.account });
    await viem.assertions.revertWithCustomErrorWithArgs(finalize([accepted]), p.ledger, "QuorumNotReached", [accepted, 2, 0, 3]);

    await p.registry.write.setQuorum([datanet, 2], { account: p.owner.account });
    // One short of the quorum sinks its batch: nothing finalized.
    await viem.assertions.revertWithCustomErrorWithArgs(finalize([accepted, short]), p.ledger, "QuorumNotReached", [short, 0, 0, 2]);
    expect((await p.ledger.read.getContribution([accepted])).status).to.equal(Status.Pending);
    const unknown = `0x${"ab".repeat(32)}` as const;
    await viem.assertions.revertWithCustomErrorWithArgs(finalize([unknown]), p.ledger, "UnknownContribution", [unknown]);
    await viem.assertions.revertWithCustomError(finalize([]), p.ledger, "EmptyBatch");

    const tx = finalize([accepted, rejected]);
    await viem.assertions.emitWithArgs(tx, p.ledger, "ContributionFinalized", [accepted, Status.Accepted, 8000]);
    expect((await p.ledger.read.getContribution([rejected])).status).to.equal(Status.Rejected);
    // Raced by another caller: the final ones are passed over, the batch lands.
    await finalize([accepted, rejected]);
    const events = await p.ledger.getEvents.ContributionFinalized({ id: accepted }, { fromBlock: 0n });
    expect(events).to.have.length(1);

    await p.registry.write.pause();
    await viem.assertions.revertWithCustomError(finalize([short]), p.registry, "EnforcedPause");
  });

  it("reverts the whole batch on one bad verdict: no partial effect", async () => {
    const { ids } = await pending(1, 2);
    const good = await signVerdict(p, v0, { contribution: ids[0]! });
    const forged = { ...(await signVerdict(p, v3, { contribution: ids[1]! })), validator: v1.address };
    await viem.assertions.revertWithCustomError(submit([good, forged]), p.ledger, "InvalidSignature");
    expect((await p.ledger.read.getContribution([ids[0]!])).status).to.equal(Status.Pending);
  });

  it("one EOA signature cannot count twice: its owner's contract wallet needs a verdict naming the wallet", async () => {
    // v3 and a wallet that accepts v3's signatures both validate the Datanet, at quorum 2.
    const wallet = await viem.deployContract("ERC1271Wallet", [v3.address]);
    const datanet = await createDatanet(p, { validators: [v3.address, wallet.address], quorum: 2 });
    const file = item(11);
    await p.ledger.write.contribute([datanet, [file]], { account: p.alice.account });
    const id = contributionId(datanet, file.contentHash);
    const own = await signVerdict(p, v3, { contribution: id });
    // The same signature presented as the wallet's vote: the signed data names v3, so it is refused.
    await viem.assertions.revertWithCustomErrorWithArgs(
      submit([own, { ...own, validator: wallet.address }]),
      p.ledger,
      "InvalidSignature",
      [id, getAddress(wallet.address)],
    );
    expect((await p.ledger.read.getContribution([id])).status).to.equal(Status.Pending);
    // A verdict signed for the wallet is the wallet's vote (the Datanet's owner chose both validators).
    await submit([own, await signVerdict(p, v3, { contribution: id }, {}, wallet.address)]);
    expect((await p.ledger.read.getContribution([id])).status).to.equal(Status.Accepted);
  });

  it("accepts verdicts from an EIP-1271 contract-wallet validator", async () => {
    const wallet = await viem.deployContract("ERC1271Wallet", [v3.address]);
    const datanet = await createDatanet(p, { validators: [wallet.address], quorum: 1 });
    const file = item(10);
    await p.ledger.write.contribute([datanet, [file]], { account: p.alice.account });
    const id = contributionId(datanet, file.contentHash);
    const signed = await signVerdict(p, v3, { contribution: id, score: 64 }, {}, wallet.address);
    // Signed by someone other than the wallet's owner: refused.
    const stranger = await signVerdict(p, v0, { contribution: id }, {}, wallet.address);
    await viem.assertions.revertWithCustomError(submit([stranger]), p.ledger, "InvalidSignature");
    await submit([signed]);
    expect((await p.ledger.read.getContribution([id])).score).to.equal(6400);
  });

  /** A Datanet whose one validator is `wallet`, with `count` pending contributions. */
  async function walletDatanet(wallet: `0x${string}`, count: number) {
    const datanet = await createDatanet(p, { validators: [wallet], quorum: 1 });
    const files = Array.from({ length: count }, () => item(12));
    await p.ledger.write.contribute([datanet, files], { account: p.alice.account });
    return files.map((file) => contributionId(datanet, file.contentHash));
  }

  it("gives a contract wallet's check a fixed allowance: one that burns gas costs the relayer no more than that", async () => {
    const burner = await viem.deployContract("GasBurnerWallet", []);
    const ids = await walletDatanet(burner.address, 2);
    const allowance = await p.ledger.read.SIGNATURE_CHECK_GAS();
    const verdicts = await Promise.all(ids.map((id) => signVerdict(p, v3, { contribution: id }, {}, burner.address)));
    // Sent with 5,000,000 gas, as an unbounded check once used up.
    const hash = await p.ledger.write.submitVerdicts([verdicts], { account: p.relayer.account, gas: 5_000_000n });
    const receipt = await p.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).to.equal("success");
    const perVerdict = (receipt.gasUsed - 21_000n) / 2n;
    expect(perVerdict < allowance + 50_000n, `${perVerdict} gas per verdict`).to.equal(true);
  });

  it("refuses, rather than reads as invalid, a genuine wallet signature sent with too little gas for its check", async () => {
    const wallet = await viem.deployContract("ERC1271Wallet", [v3.address]);
    const [id] = await walletDatanet(wallet.address, 1);
    const signed = await signVerdict(p, v3, { contribution: id! }, {}, wallet.address);
    const attempt = (gas: bigint) =>
      p.ledger.simulate.submitVerdicts([[signed]], { account: p.relayer.account.address, gas }).then(
        () => "passed",
        (error: { walk: (f: (e: unknown) => boolean) => unknown }) => {
          const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | undefined;
          return reverted?.data?.errorName ?? "out of gas";
        },
      );
    // Every gas limit tried while searching for the least that passes: below it, never "invalid".
    const errors = new Set<string>();
    let [low, high] = [30_000n, await p.ledger.estimateGas.submitVerdicts([[signed]], { account: p.relayer.account })];
    while (high - low > 1n) {
      const middle = (low + high) / 2n;
      const answer = await attempt(middle);
      if (answer === "passed") high = middle;
      else {
        errors.add(answer);
        low = middle;
      }
    }
    for (const short of [1n, 100n, 1_000n, 3_000n]) errors.add(await attempt(high - short));
    expect([...errors]).to.not.include("InvalidSignature");
    expect([...errors]).to.not.include("passed");
    expect([...errors]).to.include("SignatureCheckGasTooLow");
    await submit([signed]);
    expect((await p.ledger.read.getContribution([id!])).status).to.equal(Status.Accepted);
  });

  it("a wallet valid only in a zero-priced call passes an eth_call and fails in a real transaction", async () => {
    const wallet = await viem.deployContract("GasPriceWallet", [v3.address]);
    const [id] = await walletDatanet(wallet.address, 1);
    const signed = await signVerdict(p, v3, { contribution: id! }, {}, wallet.address);
    await p.ledger.simulate.submitVerdicts([[signed]], { account: p.relayer.account.address, gasPrice: 0n });
    await viem.assertions.revertWithCustomError(submit([signed]), p.ledger, "InvalidSignature");
  });
});
