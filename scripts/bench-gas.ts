/**
 * Gas per item of the hot paths, on the in-process Hardhat network.
 *   npm run bench:gas            a table
 *   npm run bench:gas -- --json  ONE JSON object on the last line
 */
import { network } from "hardhat";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { keccak256, toHex, type Hex } from "viem";
import ProvenaModule from "../ignition/modules/Provena.js";
import {
  rawCidOfDigest,
  modalityCode,
  fileTypeByName,
  Reason,
  Status,
  contributionId,
  signedReceipt,
  signedVerdict,
} from "@provena/common";

const json = process.argv.includes("--json");
const { viem, ignition, networkHelpers } = await network.create();
const { registry, ledger } = await ignition.deploy(ProvenaModule);
const publicClient = await viem.getPublicClient();
const chainId = await publicClient.getChainId();
const wallets = await viem.getWalletClients();
const validators = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()));

const gasOf = async (hash: Promise<Hex>) => (await publicClient.waitForTransactionReceipt({ hash: await hash })).gasUsed;

let seq = 0;
const items = (count: number) =>
  Array.from({ length: count }, () => {
    const contentHash = keccak256(toHex(`bench-${++seq}`));
    // A CIDv1 (raw, sha-256) is 36 bytes, as real ones are.
    return { contentHash, cid: rawCidOfDigest(contentHash), size: 100_000, fileType: fileTypeByName("txt").code };
  });

async function createDatanet(quorum: number) {
  const gas = await gasOf(
    registry.write.createDatanet([
      {
        name: "Benchmark datanet",
        metadataCid: rawCidOfDigest(`0x${"11".repeat(32)}`),
        modality: modalityCode("text"),
        validators: validators.map((v) => v.address),
        quorum,
        dailyByteCap: 0n,
        isPublic: true,
      },
    ]),
  );
  return { id: await registry.read.datanetCount(), gas };
}

// Each contributor is fresh, as on its first contribution of the day: its usage counters are new slots.
let nextWallet = 1;
const freshContributor = () => wallets[nextWallet++]!.account;

/** `count` pending contributions to `datanet`, 20 per contributor (the daily file limit). */
async function contributions(datanet: bigint, count: number) {
  const ids: Hex[] = [];
  for (let offset = 0; offset < count; offset += 20) {
    const batch = items(Math.min(20, count - offset));
    await ledger.write.contribute([datanet, batch], { account: freshContributor() });
    ids.push(...batch.map((i) => contributionId(datanet, i.contentHash)));
  }
  return ids;
}

async function verdicts(ids: Hex[], validator: (typeof validators)[number]) {
  const deadline = BigInt((await networkHelpers.time.latest()) + 86_400);
  return Promise.all(
    ids.map(async (contribution) => {
      return signedVerdict(validator, chainId, ledger.address, {
        contribution,
        accept: true,
        score: 90,
        reason: Reason.Accepted,
        deadline,
      });
    }),
  );
}

const q1 = await createDatanet(1);
const q3 = await createDatanet(3);

// Steady state: a contributor's first batch of a new day rewrites its usage counter from an earlier day.
const returning = [freshContributor(), freshContributor()];
for (const account of returning) await ledger.write.contribute([q1.id, items(1)], { account });
await networkHelpers.time.increase(86_400);
const contribute1 = await gasOf(ledger.write.contribute([q1.id, items(1)], { account: returning[0]! }));
const contribute20 = await gasOf(ledger.write.contribute([q1.id, items(20)], { account: returning[1]! }));
// Once in a contributor's life: the first batch ever also creates the usage counter's slot.
const contribute20New = await gasOf(ledger.write.contribute([q1.id, items(20)], { account: freshContributor() }));

// With a gateway's upload receipt (a Datanet that requires them), in the same steady state as contribute_20.
const gateway = privateKeyToAccount(generatePrivateKey());
await registry.write.grantRole([await registry.read.GATEWAY_ROLE(), gateway.address]);
const receiptOwner = freshContributor();
const { id: guarded } = await createDatanet(1);
await registry.write.setReceiptRequired([guarded, true]);
await ledger.write.contribute([q1.id, items(1)], { account: receiptOwner });
await networkHelpers.time.increase(86_400);
const receiptItems = items(20);
const receipt = await signedReceipt(gateway, chainId, ledger.address, {
  contributor: receiptOwner.address,
  datanetId: guarded,
  items: receiptItems,
  deadline: BigInt((await networkHelpers.time.latest()) + 3_600),
});
const contribute20Receipt = await gasOf(ledger.write.contributeWithReceipt([guarded, receiptItems, receipt], { account: receiptOwner }));

const single = await contributions(q1.id, 1);
const verdicts1 = await gasOf(ledger.write.submitVerdicts([await verdicts(single, validators[0]!)]));

const hundred = await contributions(q1.id, 100);
const verdicts100q1 = await gasOf(ledger.write.submitVerdicts([await verdicts(hundred, validators[0]!)]));

const hundredQ3 = await contributions(q3.id, 100);
let q3Gas = 0n;
for (const validator of validators) q3Gas += await gasOf(ledger.write.submitVerdicts([await verdicts(hundredQ3, validator)]));
const finalized = await ledger.read.getContribution([hundredQ3[99]!]);
if (finalized.status !== Status.Accepted) throw new Error("quorum-3 contributions did not finalize");

const results = {
  contribute_1: Number(contribute1),
  contribute_20: Math.round(Number(contribute20) / 20),
  contribute_20_new_contributor: Math.round(Number(contribute20New) / 20),
  contribute_20_receipt: Math.round(Number(contribute20Receipt) / 20),
  verdicts_1: Number(verdicts1),
  verdicts_100_q1: Math.round(Number(verdicts100q1) / 100),
  verdicts_100_q3: Math.round(Number(q3Gas) / 300),
  create_datanet: Number(q1.gas),
};

if (json) {
  console.log(JSON.stringify(results));
} else {
  const rows: [keyof typeof results, string, string][] = [
    ["contribute_1", "gas for a 1-file contribute (transaction total), returning contributor", ""],
    ["contribute_20", "gas per file, 20-file contribute, returning contributor's first batch of the day", "≤ 30,000"],
    ["contribute_20_new_contributor", "gas per file, 20-file contribute, a contributor's first batch ever", ""],
    ["contribute_20_receipt", "gas per file, 20-file contributeWithReceipt (a gateway's EIP-712 receipt), returning contributor", ""],
    ["verdicts_1", "gas for 1 verdict finalizing at quorum 1 (transaction total)", ""],
    ["verdicts_100_q1", "gas per verdict, 100 verdicts each finalizing at quorum 1", "≤ 20,000"],
    ["verdicts_100_q3", "gas per verdict, 300 verdicts (3 per contribution) at quorum 3", ""],
    ["create_datanet", "gas for createDatanet with 3 validators", ""],
  ];
  console.log("| key | what | gas | target |\n|---|---|---:|---|");
  for (const [key, what, target] of rows) console.log(`| ${key} | ${what} | ${results[key].toLocaleString("en-US")} | ${target} |`);
}
