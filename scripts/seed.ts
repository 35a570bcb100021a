/**
 * The demo: Datanets of each modality, validators, contributions of real small files, and verdicts
 * (some accepted, some rejected, some left pending). Files and metadata are written under
 * `<data>/content/<cid>` (PROVENA_CONTENT_DIR) so the storage layer can pin exactly what the chain names.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NetworkConnection } from "hardhat/types/network";
import { bytesToHex, type Hex } from "viem";
import {
  cidToString,
  contributionId,
  contentDir,
  fileTypeByName,
  modalityCode,
  rawCidBytes,
  sha256,
  verdictTypedData,
  type Deployment,
  type FileTypeName,
  type Modality,
} from "@provena/common";
import { pngFile, textFile, wavFile } from "./lib/demo-content.js";

type DemoFile = { type: FileTypeName; bytes: Uint8Array };
type DemoDatanet = {
  name: string;
  modality: Modality;
  summary: string;
  tags: string[];
  quorum: number;
  validators: number; // how many of the three demo validators
  files: DemoFile[];
};

const sentences = [
  "Boil the pasta in salted water for nine minutes, then finish it in the sauce.",
  "A fever above 39 °C in an adult lasting more than three days warrants a visit to a doctor.",
  "Rinse quinoa before cooking to remove its bitter coating.",
  "Hydration matters: thirst lags behind the body's need for water during exercise.",
  "Toast whole spices in a dry pan until fragrant before grinding them.",
  "Wash hands for twenty seconds with soap; sanitizer is a fallback, not a substitute.",
];

const DATANETS: DemoDatanet[] = [
  {
    name: "Home cooking notes",
    modality: "text",
    summary: "Short, tested cooking tips in plain text or markdown.",
    tags: ["cooking", "instructions"],
    quorum: 1,
    validators: 1,
    files: sentences.filter((_, i) => i % 2 === 0).map((s, i) => ({ type: i % 2 ? "md" : "txt", bytes: textFile(`Tip ${i + 1}`, s) })),
  },
  {
    name: "Everyday health answers",
    modality: "text",
    summary: "Plain-language health guidance, reviewed by two of three validators.",
    tags: ["health", "q&a"],
    quorum: 2,
    validators: 3,
    files: sentences.filter((_, i) => i % 2 === 1).map((s, i) => ({ type: "md", bytes: textFile(`Answer ${i + 1}`, s) })),
  },
  {
    name: "Gradient swatches",
    modality: "image",
    summary: "Colour gradients for calibration.",
    tags: ["colour", "calibration"],
    quorum: 1,
    validators: 1,
    files: [
      { type: "png", bytes: pngFile(32, 32, [255, 0, 0], [0, 0, 255]) },
      { type: "png", bytes: pngFile(48, 24, [0, 128, 0], [255, 255, 0]) },
      { type: "png", bytes: pngFile(16, 64, [20, 20, 20], [240, 240, 240]) },
    ],
  },
  {
    name: "Texture tiles",
    modality: "image",
    summary: "Small seamless tiles.",
    tags: ["texture"],
    quorum: 1,
    validators: 2,
    files: [{ type: "png", bytes: pngFile(24, 24, [90, 60, 30], [200, 170, 120]) }],
  },
  {
    name: "Chirps and tones",
    modality: "audio",
    summary: "Synthetic chirps for audio-pipeline tests.",
    tags: ["audio", "synthetic"],
    quorum: 1,
    validators: 1,
    files: [
      { type: "wav", bytes: wavFile(0.25, 300, 1200) },
      { type: "wav", bytes: wavFile(0.4, 800, 200) },
    ],
  },
  {
    name: "Room tones",
    modality: "audio",
    summary: "Ambient recordings; quorum of two.",
    tags: ["ambient"],
    quorum: 2,
    validators: 2,
    files: [{ type: "wav", bytes: wavFile(0.3, 50, 60) }],
  },
];

export type SeedSummary = { datanets: number; contributions: number; accepted: number; rejected: number; pending: number };

export async function seedDemo(connection: NetworkConnection, deployment: Deployment): Promise<SeedSummary> {
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
  const summary: SeedSummary = { datanets: 0, contributions: 0, accepted: 0, rejected: 0, pending: 0 };
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
          validators: chosen.map((v) => v.account.address),
          quorum: spec.quorum,
          dailyByteCap: 0n,
          isPublic: true,
        },
      ]),
    );
    const datanetId = await registry.read.datanetCount();
    summary.datanets++;

    const contributor = contributors[index % contributors.length]!;
    const items = spec.files.map((file) => ({
      contentHash: sha256(file.bytes),
      cid: store(file.bytes),
      size: file.bytes.length,
      fileType: fileTypeByName(file.type).code,
    }));
    await wait(await (await ledgerAs(contributor)).write.contribute([datanetId, items]));
    summary.contributions += items.length;

    // Verdicts: the last file of each Datanet stays pending; of the others, about one in three is rejected.
    const signed = [];
    for (const [i, item] of items.slice(0, -1).entries()) {
      const accept = (i + index) % 3 !== 1;
      for (const validator of chosen.slice(0, spec.quorum)) {
        const verdict = {
          contribution: contributionId(datanetId, item.contentHash),
          accept,
          score: accept ? 70 + ((i * 7 + index * 3) % 30) : 10,
          reason: accept ? 1 : 6,
          deadline,
        };
        const signature = await validator.signTypedData(verdictTypedData(deployment.chainId, deployment.contracts.ContributionLedger.address, verdict));
        signed.push({ verdict, validator: validator.account.address, signature });
      }
      if (accept) summary.accepted++;
      else summary.rejected++;
    }
    summary.pending++;
    if (signed.length) await wait(await (await ledgerAs(relayer)).write.submitVerdicts([signed]));
  }
  return summary;
}
