/**
 * The demo: Datanets of each modality, validators, contributions of real small files, and verdicts
 * (some accepted, some rejected, some left pending). Files and metadata are written under
 * `<data>/content/<cid>` (PROVENA_CONTENT_DIR) so the storage layer can pin exactly what the chain names.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NetworkConnection } from "hardhat/types/network";
import { bytesToHex, type Address, type Hex, type PublicClient } from "viem";
import {
  contributionLedgerAbi,
  datanetRegistryAbi,
  cidToString,
  contributionId,
  modalityCode,
  verdictTypedData,
  type Deployment,
  type Modality,
  Reason,
  Status,
} from "@provena/common";
import { contentDir, rawCidBytes, sha256 } from "@provena/common/node";
import { sniffFile } from "@provena/content";
import { pngFile, textFile, wavFile } from "./lib/demo-content.js";

type DemoFile = { bytes: Uint8Array };
type DemoDatanet = {
  name: string;
  modality: Modality;
  summary: string;
  tags: string[];
  quorum: number;
  validators: number; // how many of the three demo validators
  files: DemoFile[];
};

// Long enough (over 200 characters each) and distinct enough for the automatic validator to judge on merit.
const cookingTips = [
  "Boil the pasta in well salted water for a minute less than the packet says, then finish it in the pan with the sauce and a splash of its cooking water. The starch in that water binds the sauce to the pasta, so it clings instead of pooling at the bottom of the plate.",
  "Rinse quinoa in a fine sieve under cold running water before cooking it, rubbing the grains between your fingers. The rinse removes saponin, the bitter coating that protects the seed, and the grains cook up fluffy if you let them rest covered for five minutes afterwards.",
  "Toast whole spices such as cumin, coriander and fennel in a dry pan over medium heat until they smell fragrant and start to pop, then grind them while still warm. Ground spices lose their aroma within weeks, whole ones keep it for a year or more.",
];
const healthAnswers = [
  "A fever above 39 °C in an adult that lasts more than three days warrants a visit to a doctor, as does any fever with a stiff neck, confusion or a rash that does not fade under the pressure of a glass. Rest, fluids and paracetamol help in the meantime.",
  "Thirst lags behind the body's need for water during exercise, especially in heat. Drink regularly during long efforts rather than waiting to feel thirsty, and replace salt as well as water when you sweat heavily for more than an hour, or cramps and headaches follow.",
  "Wash your hands for twenty seconds with soap and running water after using the toilet, before eating and after coughing into them. Alcohol gel is a fallback when no sink is near, not a substitute: it does little against dirt, grease or some stomach viruses.",
];

const DATANETS: DemoDatanet[] = [
  {
    name: "Home cooking notes",
    modality: "text",
    summary: "Short, tested cooking tips in plain text or markdown.",
    tags: ["cooking", "instructions"],
    quorum: 1,
    validators: 1,
    files: cookingTips.map((tip, i) => ({ bytes: textFile(`Tip ${i + 1}`, tip) })),
  },
  {
    name: "Everyday health answers",
    modality: "text",
    summary: "Plain-language health guidance, reviewed by two of three validators.",
    tags: ["health", "q&a"],
    quorum: 2,
    validators: 3,
    files: healthAnswers.map((answer, i) => ({ bytes: textFile(`Answer ${i + 1}`, answer) })),
  },
  {
    name: "Gradient swatches",
    modality: "image",
    summary: "Colour gradients for calibration.",
    tags: ["colour", "calibration"],
    quorum: 1,
    validators: 1,
    files: [
      { bytes: pngFile(128, 128, [255, 0, 0], [0, 0, 255]) },
      { bytes: pngFile(192, 96, [0, 128, 0], [255, 255, 0]) },
      { bytes: pngFile(64, 256, [20, 20, 20], [240, 240, 240]) },
    ],
  },
  {
    name: "Texture tiles",
    modality: "image",
    summary: "Small seamless tiles.",
    tags: ["texture"],
    quorum: 1,
    validators: 2,
    files: [{ bytes: pngFile(96, 96, [90, 60, 30], [200, 170, 120]) }],
  },
  {
    name: "Chirps and tones",
    modality: "audio",
    summary: "Synthetic chirps for audio-pipeline tests.",
    tags: ["audio", "synthetic"],
    quorum: 1,
    validators: 1,
    files: [{ bytes: wavFile(1.5, 300, 1200) }, { bytes: wavFile(2, 800, 200) }],
  },
  {
    name: "Room tones",
    modality: "audio",
    summary: "Ambient recordings; quorum of two.",
    tags: ["ambient"],
    quorum: 2,
    validators: 2,
    files: [{ bytes: wavFile(1.2, 50, 60) }],
  },
];

/**
 * Seeds the demo. `autoValidator` (the attestor's automatic validator) is added to every demo Datanet's
 * validators, so that what the seed leaves pending and what users contribute later is judged by it too.
 */
/** The type code the attestor decides from the content, as for any upload. */
function typeOf(bytes: Uint8Array): number {
  const sniffed = sniffFile(bytes);
  if (!sniffed.ok) throw new Error(`a demo file is refused by the sniffer: ${sniffed.message}`);
  return sniffed.code;
}

export async function seedDemo(connection: NetworkConnection, deployment: Deployment, autoValidator?: Address): Promise<void> {
  const { viem } = connection;
  const wallets = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const [owner, v1, v2, v3, relayer, ...contributors] = wallets.slice(0, 9);
  if (!owner || !v1 || !v2 || !v3 || !relayer || contributors.length < 4) throw new Error("the node needs 9 accounts to seed the demo");
  const validators = [v1, v2, v3];
  const registry = await viem.getContractAt("DatanetRegistry", deployment.contracts.DatanetRegistry.address, { client: { wallet: owner } });
  const ledgerAs = (wallet: typeof owner) =>
    viem.getContractAt("ContributionLedger", deployment.contracts.ContributionLedger.address, { client: { wallet } });
  const content = contentDir();
  mkdirSync(content, { recursive: true });
  const store = (bytes: Uint8Array) => {
    const cid = rawCidBytes(bytes);
    writeFileSync(join(content, cidToString(cid)), bytes);
    return bytesToHex(cid);
  };
  const wait = async (hash: Hex) => publicClient.waitForTransactionReceipt({ hash });
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 7 * 86_400);

  for (const [index, spec] of DATANETS.entries()) {
    const metadata = new TextEncoder().encode(
      JSON.stringify({ summary: spec.summary, description: `## ${spec.name}\n\n${spec.summary}`, tags: spec.tags, license: "CC-BY-4.0" }),
    );
    const chosen = validators.slice(0, spec.validators);
    await wait(
      await registry.write.createDatanet([
        {
          name: spec.name,
          metadataCid: store(metadata),
          modality: modalityCode(spec.modality),
          validators: [...chosen.map((v) => v.account.address), ...(autoValidator ? [autoValidator] : [])],
          quorum: spec.quorum,
          dailyByteCap: 0n,
          isPublic: true,
        },
      ]),
    );
    const datanetId = await registry.read.datanetCount();

    const contributor = contributors[index % contributors.length]!;
    const items = spec.files.map((file) => ({
      contentHash: sha256(file.bytes),
      cid: store(file.bytes),
      size: file.bytes.length,
      fileType: typeOf(file.bytes),
    }));
    await wait(await (await ledgerAs(contributor)).write.contribute([datanetId, items]));

    // Verdicts: the last file of each Datanet stays pending; of the others, about one in three is rejected.
    const signed = [];
    for (const [i, item] of items.slice(0, -1).entries()) {
      const accept = (i + index) % 3 !== 1;
      for (const validator of chosen.slice(0, spec.quorum)) {
        const verdict = {
          contribution: contributionId(datanetId, item.contentHash),
          accept,
          score: accept ? 70 + ((i * 7 + index * 3) % 30) : 10,
          reason: accept ? Reason.Accepted : Reason.LowQuality,
          deadline,
        };
        const signature = await validator.signTypedData(
          verdictTypedData(deployment.chainId, deployment.contracts.ContributionLedger.address, verdict, validator.account.address),
        );
        signed.push({ verdict, validator: validator.account.address, signature });
      }
    }
    if (signed.length) await wait(await (await ledgerAs(relayer)).write.submitVerdicts([signed]));
  }
}

export type Standing = { datanets: number; contributions: number; accepted: number; rejected: number; pending: number };

/** What the chain holds: Datanets, contributed files, and how many of them are accepted, rejected or pending. */
export async function standing(client: PublicClient, deployment: Deployment): Promise<Standing> {
  const ledger = { address: deployment.contracts.ContributionLedger.address, abi: contributionLedgerAbi } as const;
  const fromBlock = BigInt(deployment.startBlock);
  const [datanets, contributed, finalized] = await Promise.all([
    client.readContract({ address: deployment.contracts.DatanetRegistry.address, abi: datanetRegistryAbi, functionName: "datanetCount" }),
    client.getContractEvents({ ...ledger, eventName: "Contributed", fromBlock, strict: true }),
    client.getContractEvents({ ...ledger, eventName: "ContributionFinalized", fromBlock, strict: true }),
  ]);
  const contributions = contributed.reduce((sum, log) => sum + log.args.items.length, 0);
  const accepted = finalized.filter((log) => log.args.status === Status.Accepted).length;
  const rejected = finalized.filter((log) => log.args.status === Status.Rejected).length;
  return { datanets: Number(datanets), contributions, accepted, rejected, pending: contributions - accepted - rejected };
}
