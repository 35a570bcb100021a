/**
 * Credit cannot be stolen by copying a pending `contribute` (issue 13, item 11), against a real chain and
 * attestor: a Datanet that requires upload receipts takes a contribution only with the gateway's receipt for
 * the uploader and exactly those items; the same items and receipt sent by someone else are refused.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { contributionLedgerAbi, datanetRegistryAbi, Status } from "@provena/common";
import { BaseError, ContractFunctionRevertedError, getAddress, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { prose } from "../fixtures/prose.js";
import { signIn, startAttestor, upload } from "../helpers/attestor.js";
import { admin, startChain, type Chain } from "../helpers/stack.js";

describe("upload receipts: a contribution is its uploader's", () => {
  let chain: Chain;
  let attestor: Awaited<ReturnType<typeof startAttestor>>;
  const gatewayKey = generatePrivateKey();
  const gateway = privateKeyToAccount(gatewayKey);

  before(async () => {
    chain = await startChain();
    const registry = chain.deployment.contracts.DatanetRegistry.address;
    const role = await chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "GATEWAY_ROLE" });
    await chain.registryAs(admin).write("grantRole", [role, gateway.address]);
    attestor = await startAttestor(chain, { gatewayKey });
  });
  after(async () => {
    await attestor?.close();
    await chain?.close();
  });

  test("the gateway's receipt lets the uploader contribute; the same transaction from a copier reverts InvalidReceipt", async () => {
    const [owner, alice, bob] = await Promise.all([chain.account(), chain.account(), chain.account()]);
    const datanet = await chain.createDatanet(owner, [await chain.account()], 1, 0);
    await chain.registryAs(owner).write("setReceiptRequired", [datanet, true]);
    const answer = await upload(
      attestor.url,
      datanet,
      [{ name: "mine.txt", bytes: prose(4_242) }],
      await signIn(attestor.url, alice, chain.deployment.chainId),
    );
    assert.equal(answer.status, 201);
    const body = answer.body as typeof answer.body & { receipt: { gateway: Hex; deadline: string; signature: Hex } };
    assert.equal(getAddress(body.receipt.gateway), gateway.address);
    const receipt = { ...body.receipt, deadline: BigInt(body.receipt.deadline) };
    const ledger = chain.deployment.contracts.ContributionLedger.address;
    const call = { address: ledger, abi: contributionLedgerAbi } as const;

    const plain = await chain.publicClient
      .simulateContract({ ...call, functionName: "contribute", args: [datanet, body.contribute], account: alice.address })
      .catch((error: unknown) => error);
    assert.equal(revertName(plain), "ReceiptRequired");
    // Bob sees Alice's pending transaction and sends it as his own first.
    const copied = await chain.publicClient
      .simulateContract({ ...call, functionName: "contributeWithReceipt", args: [datanet, body.contribute, receipt], account: bob.address })
      .catch((error: unknown) => error);
    assert.equal(revertName(copied), "InvalidReceipt");

    await chain.wait(
      await chain
        .wallet(alice)
        .writeContract({ ...call, functionName: "contributeWithReceipt", args: [datanet, body.contribute, receipt] }),
    );
    const stored = await chain.publicClient.readContract({
      ...call,
      functionName: "getContribution",
      args: [body.files[0]!.contributionId],
    });
    assert.equal(stored.status, Status.Pending);
    assert.equal(getAddress(stored.contributor), alice.address);
  });
});

function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}
