/**
 * Interop: the errors a ledger call passes through from the registry decode with the ledger's own ABI, the
 * ABI every component reads (`@provena/common`, generated from the build, which the deployment file records too), in
 * ethers as in viem. ethers is used here only, to check a second decoder.
 */
import { expect } from "chai";
import { Interface } from "ethers";
import { BaseError, decodeErrorResult, encodeFunctionData, type Hex } from "viem";
import { contributionLedgerAbi } from "@provena/common";
import { createDatanet, deployProvena, item, networkHelpers, signVerdict, type Provena } from "../helpers/provena.js";

describe("ContributionLedger ABI: every error a call can revert with", () => {
  let p: Provena;
  let text: bigint;
  beforeEach(async () => {
    p = await networkHelpers.loadFixture(deployProvena);
    text = await createDatanet(p, { modality: "text" });
  });

  /** The revert data of an `eth_call` of `data` to the ledger from Alice. */
  async function revertData(data: Hex): Promise<Hex> {
    try {
      await p.publicClient.call({ account: p.alice.account.address, to: p.ledger.address, data });
    } catch (error) {
      const raw = error instanceof BaseError ? error.walk((e) => typeof (e as { data?: unknown }).data === "string") : null;
      const revert = (raw as { data?: Hex } | null)?.data;
      if (revert) return revert;
      throw error;
    }
    throw new Error("the call did not revert");
  }
  const contribute = (datanetId: bigint) =>
    encodeFunctionData({ abi: contributionLedgerAbi, functionName: "contribute", args: [datanetId, [item(1)]] });

  /** The error's name and arguments as ethers and as viem decode it with the ledger's ABI alone. */
  function decodeBoth(data: Hex) {
    const parsed = new Interface(contributionLedgerAbi).parseError(data);
    const decoded = decodeErrorResult({ abi: contributionLedgerAbi, data });
    return {
      ethers: parsed ? { name: parsed.name, args: [...parsed.args] } : null,
      viem: { name: decoded.errorName, args: [...(decoded.args ?? [])] },
    };
  }

  it("is the ABI the deployed ledger was built with", () => {
    expect(contributionLedgerAbi).to.deep.equal(p.ledger.abi);
  });

  it("decodes contribute to an unknown Datanet as the registry's UnknownDatanet", async () => {
    const decoded = decodeBoth(await revertData(contribute(42n)));
    expect(decoded.ethers).to.deep.equal({ name: "UnknownDatanet", args: [42n] });
    expect(decoded.viem).to.deep.equal({ name: "UnknownDatanet", args: [42n] });
  });

  it("decodes contribute and submitVerdicts while the registry is paused as EnforcedPause", async () => {
    const file = item(1);
    await p.ledger.write.contribute([text, [file]], { account: p.alice.account });
    const verdict = await signVerdict(p, p.validators[0]!, { contribution: await p.ledger.read.contributionId([text, file.contentHash]) });
    await p.registry.write.pause();

    const paused = decodeBoth(await revertData(contribute(text)));
    expect(paused.ethers).to.deep.equal({ name: "EnforcedPause", args: [] });
    expect(paused.viem).to.deep.equal({ name: "EnforcedPause", args: [] });

    const submit = encodeFunctionData({ abi: contributionLedgerAbi, functionName: "submitVerdicts", args: [[verdict]] });
    const pausedVerdict = decodeBoth(await revertData(submit));
    expect(pausedVerdict.ethers?.name).to.equal("EnforcedPause");
    expect(pausedVerdict.viem.name).to.equal("EnforcedPause");
  });

  it("decodes the ledger's own errors alike", async () => {
    const decoded = decodeBoth(
      await revertData(encodeFunctionData({ abi: contributionLedgerAbi, functionName: "contribute", args: [text, []] })),
    );
    expect(decoded.ethers).to.deep.equal({ name: "EmptyBatch", args: [] });
    expect(decoded.viem).to.deep.equal({ name: "EmptyBatch", args: [] });
  });
});
