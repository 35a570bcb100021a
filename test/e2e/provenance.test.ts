/**
 * A training dataset as the chain defines it, and publishing a model's provenance, on a real Hardhat node
 * with the attestor's embedded IPFS node: upload → contribute → verdicts → dataset at a block → publish.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { sha256 } from "@provena/common/node";
import { contributionLedgerAbi, modelRegistryAbi, datasetRoot, signedVerdict, parseManifest } from "@provena/common";
import { CID } from "multiformats/cid";
import { hexToBytes, keccak256, toHex, type Hex, type PrivateKeyAccount } from "viem";
import { AttestorError } from "../../attestor/runtime/src/errors.js";
import { STATUS_OF_KIND } from "../../attestor/runtime/src/http/status.js";
import { collectDataset } from "../../attestor/factory/src/provenance/dataset.js";
import { publishModel, type PublishContext } from "../../attestor/factory/src/provenance/publish.js";
import { readAll } from "../../attestor/runtime/src/storage/index.js";
import { docxFile } from "../fixtures/corpus.js";
import { prose } from "../fixtures/prose.js";
import { signIn, startAttestor, upload } from "../helpers/attestor.js";
import { admin, startChain, type Chain } from "../helpers/stack.js";

type Attestor = Awaited<ReturnType<typeof startAttestor>>;

describe("model provenance: dataset and publishing", () => {
  let chain: Chain;
  let attestor: Attestor;
  let owner: PrivateKeyAccount, alice: PrivateKeyAccount, validator: PrivateKeyAccount, signer: PrivateKeyAccount;
  let textDatanet: bigint, imageDatanet: bigint;
  let accepted: Hex[], rejected: Hex, late: Hex;
  let datasetBlock: bigint;
  const texts = [prose(900), prose(901), prose(902)];

  const ledger = () => chain.deployment.contracts.ContributionLedger.address;
  const startBlock = () => BigInt(chain.deployment.startBlock);
  const judge = async (ids: Hex[], accept: boolean) => {
    const deadline = BigInt((await chain.publicClient.getBlock()).timestamp) + 3_600n;
    const signed = await Promise.all(
      ids.map((contribution) =>
        signedVerdict(validator, chain.deployment.chainId, ledger(), {
          contribution,
          accept,
          score: accept ? 80 : 10,
          reason: accept ? 1 : 6,
          deadline,
        }),
      ),
    );
    await chain.wait(
      await chain
        .wallet(owner)
        .writeContract({ address: ledger(), abi: contributionLedgerAbi, functionName: "submitVerdicts", args: [signed] }),
    );
  };
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof AttestorError, `expected a refusal, got ${String(error)}`);
    // Domain errors name a kind; the status is the one the HTTP layer answers it with.
    return { status: STATUS_OF_KIND[error.kind], code: error.code, message: error.message };
  };
  const publishContext = (): PublishContext => ({
    chain: attestor.chain,
    store: attestor.store,
    chainId: chain.deployment.chainId,
    registry: chain.deployment.contracts.ModelRegistry.address,
    attestor: signer,
    sender: owner,
  });

  before(async () => {
    chain = await startChain();
    [owner, alice, validator, signer] = await Promise.all([chain.account(), chain.account(), chain.account(), chain.account()]);
    textDatanet = await chain.createDatanet(owner, [validator], 1, 0);
    imageDatanet = await chain.createDatanet(owner, [validator], 1, 1);
    attestor = await startAttestor(chain);
    const models = chain.deployment.contracts.ModelRegistry.address;
    const role = await chain.publicClient.readContract({ address: models, abi: modelRegistryAbi, functionName: "ATTESTOR_ROLE" });
    await chain.wait(
      await chain
        .wallet(admin)
        .writeContract({ address: models, abi: modelRegistryAbi, functionName: "grantRole", args: [role, signer.address] }),
    );

    const auth = await signIn(attestor.url, alice, chain.deployment.chainId);
    const files = [
      ...texts.map((bytes, i) => ({ name: `${i}.txt`, bytes })),
      { name: "notes.docx", bytes: docxFile(new TextDecoder().decode(prose(903)).split(/(?<=\.)\s+/)) },
    ];
    const answer = await upload(attestor.url, textDatanet, files, auth);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await chain.wait(
      await chain.wallet(alice).writeContract({
        address: ledger(),
        abi: contributionLedgerAbi,
        functionName: "contribute",
        args: [textDatanet, answer.body.contribute as never],
      }),
    );
    const ids = answer.body.files.map((f) => f.contributionId);
    accepted = [ids[0]!, ids[1]!, ids[3]!];
    rejected = ids[2]!;
    await judge(accepted, true);
    await judge([rejected], false);
    datasetBlock = await chain.publicClient.getBlockNumber();
    const later = await upload(attestor.url, textDatanet, [{ name: "late.txt", bytes: prose(904) }], auth);
    await chain.wait(
      await chain.wallet(alice).writeContract({
        address: ledger(),
        abi: contributionLedgerAbi,
        functionName: "contribute",
        args: [textDatanet, later.body.contribute as never],
      }),
    );
    late = later.body.files[0]!.contributionId;
    await judge([late], true);
  });
  after(async () => {
    await attestor?.close();
    await chain?.close();
  });

  test("the dataset is the Accepted contributions as of the block, their text extracted, with a manifest and its root", async () => {
    const dataset = await collectDataset(attestor.chain, attestor.store, chain.deployment.chainId, startBlock(), {
      datanets: [textDatanet],
      block: datasetBlock,
    });
    const ids = dataset.manifest.leaves.map((leaf) => leaf.contribution);
    assert.deepEqual([...ids].sort(), accepted.map((id) => id.toLowerCase()).sort(), "neither the rejected one nor the one accepted later");
    assert.equal(dataset.manifest.root, datasetRoot(dataset.manifest.leaves));
    assert.equal(dataset.manifest.datasetBlock, Number(datasetBlock));
    assert.deepEqual(dataset.skipped, []);
    const records = new Set(dataset.records.map((r) => r.text));
    for (const bytes of texts.slice(0, 2)) assert.ok(records.has(new TextDecoder().decode(bytes).trim()));
    assert.ok(
      [...records].some((text) => text.startsWith("Notes 903.")),
      "the DOCX's text is read",
    );
    // Later, the late contribution is in; the same block gives the same manifest.
    const now = await collectDataset(attestor.chain, attestor.store, chain.deployment.chainId, startBlock(), { datanets: [textDatanet] });
    assert.equal(now.manifest.leaves.length, 4);
    const again = await collectDataset(attestor.chain, attestor.store, chain.deployment.chainId, startBlock(), {
      datanets: [textDatanet],
      block: datasetBlock,
    });
    assert.deepEqual(again.manifest, dataset.manifest);
  });

  test("datasets a text model cannot be trained on are refused with the reason", async () => {
    const collect = (datanets: bigint[], block?: bigint) =>
      collectDataset(attestor.chain, attestor.store, chain.deployment.chainId, startBlock(), {
        datanets,
        ...(block === undefined ? {} : { block }),
      });
    const image = await refusal(collect([textDatanet, imageDatanet]));
    assert.deepEqual([image.status, image.code], [422, "not_text_datanet"]);
    assert.match(image.message, /Datanet \d+ .* holds image files: a language model is fine-tuned on text/);
    const unknown = await refusal(collect([99n]));
    assert.deepEqual([unknown.status, unknown.code], [404, "unknown_datanet"]);
    assert.equal((await refusal(collect([]))).code, "no_datanets");
    assert.equal((await refusal(collect([textDatanet], 10_000_000n))).code, "future_block");
    const empty = await chain.createDatanet(owner, [validator], 1, 0);
    assert.equal((await refusal(collect([empty]))).code, "empty_dataset");
  });

  test("publishing pins every artifact, registers the signed record, and refuses the same adapter twice", async () => {
    const dataset = await collectDataset(attestor.chain, attestor.store, chain.deployment.chainId, startBlock(), {
      datanets: [textDatanet],
      block: datasetBlock,
    });
    const adapter = new TextEncoder().encode(`adapter weights ${Date.now()}`);
    const published = await publishModel(publishContext(), {
      baseModel: { name: "tiny/gpt2", weightsHash: keccak256(toHex("weights")) },
      adapter,
      training: { spec: { finetuning: { method: "lora", lora_rank: 8 } } },
      metrics: { eval_loss: 2.5 },
      manifest: dataset.manifest,
      creator: alice.address,
    });
    const stored = await chain.publicClient.readContract({
      address: chain.deployment.contracts.ModelRegistry.address,
      abi: modelRegistryAbi,
      functionName: "getModel",
      args: [published.modelId],
    });
    assert.deepEqual(
      [stored.adapterHash, stored.datasetRoot, stored.datasetBlock, stored.attestor],
      [sha256(adapter), dataset.manifest.root, datasetBlock, signer.address],
    );
    // What the record names is pinned, byte for byte.
    const fetched = async (cidHex: Hex) => readAll(attestor.store.cat(CID.decode(hexToBytes(cidHex))));
    assert.deepEqual(await fetched(published.record.adapterCid), adapter);
    const manifest = parseManifest(await fetched(published.record.datasetCid));
    assert.ok(!("error" in manifest));
    assert.equal(manifest.root, published.record.datasetRoot);
    assert.equal(sha256(await fetched(published.record.metricsCid)), published.record.metricsHash);

    const again = await refusal(
      publishModel(publishContext(), {
        baseModel: { name: "tiny/gpt2", weightsHash: keccak256(toHex("weights")) },
        adapter,
        training: {},
        metrics: {},
        manifest: dataset.manifest,
        creator: alice.address,
      }),
    );
    assert.deepEqual([again.status, again.code], [409, "already_published"]);
  });
});
