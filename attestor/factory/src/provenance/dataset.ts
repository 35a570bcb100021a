/**
 * A training dataset as the chain defines it: the Accepted contributions of some text Datanets as of one
 * block, fetched by CID (every block checked), their SHA-256 checked against the chain, their text
 * extracted (txt, md, pdf, docx). Gives the records the trainer reads and the manifest that is pinned
 * with the model, whose Merkle root goes on chain.
 */
import {
  Status,
  fileTypeByCode,
  modalityName,
  contributionId,
  cidFromHex,
  logsInRanges,
  type DatasetManifest,
  type ManifestLeaf,
} from "@provena/common";
import { sha256 } from "@provena/common/node";
import type { Hex } from "viem";
import { type ChainView, fail, readAll, type ContentStore } from "@provena/runtime";
import { textOf } from "@provena/content";
import { buildManifest } from "./manifest.js";

export type DatasetRequest = { datanets: readonly bigint[] /** default: the latest block */; block?: bigint };

/** An Accepted contribution left out of the dataset, and why (its content cannot be had or read). */
export type Skipped = { contribution: Hex; reason: string };

export type Dataset = { manifest: DatasetManifest; records: { text: string }[]; skipped: Skipped[] };

/** Logs are read in ranges of this many blocks, halved where a node refuses them. */
const LOG_SPAN = 10_000n;

/** Refuses what a text model cannot be trained on, with the reason; returns the request's block. */
export async function checkDatasetRequest(chain: ChainView, request: DatasetRequest): Promise<bigint> {
  if (request.datanets.length === 0) fail("invalid", "no_datanets", "a training job needs at least one text Datanet");
  const latest = await chain.client.getBlockNumber({ cacheTime: 0 });
  const block = request.block ?? latest;
  if (block > latest) fail("invalid", "future_block", `block ${block} is not mined yet (the chain is at ${latest})`);
  for (const id of request.datanets) {
    const datanet = await chain.client.readContract({ ...chain.registry, functionName: "getDatanet", args: [id] }).catch(() => undefined);
    if (!datanet) fail("not_found", "unknown_datanet", `Datanet ${id} does not exist`);
    const modality = modalityName(datanet!.modality);
    if (modality !== "text") {
      fail(
        "refused",
        "not_text_datanet",
        `Datanet ${id} ("${datanet!.name}") holds ${modality} files: a language model is fine-tuned on text (txt, md, pdf, docx), so image and audio Datanets cannot train it`,
      );
    }
  }
  return block;
}

export async function collectDataset(
  chain: ChainView,
  store: ContentStore,
  chainId: number,
  startBlock: bigint,
  request: DatasetRequest,
): Promise<Dataset> {
  const block = await checkDatasetRequest(chain, request);
  const finalized = await logsInRanges(startBlock, block, LOG_SPAN, (fromBlock, toBlock) =>
    chain.client.getContractEvents({ ...chain.ledger, eventName: "ContributionFinalized", fromBlock, toBlock, strict: true }),
  );
  const accepted = new Set(finalized.filter((log) => log.args.status === Status.Accepted).map((log) => log.args.id.toLowerCase()));
  const contributed = await logsInRanges(startBlock, block, LOG_SPAN, (fromBlock, toBlock) =>
    chain.client.getContractEvents({
      ...chain.ledger,
      eventName: "Contributed",
      args: { datanetId: [...request.datanets] },
      fromBlock,
      toBlock,
      strict: true,
    }),
  );
  const leaves: ManifestLeaf[] = [];
  const records: { text: string }[] = [];
  const skipped: Skipped[] = [];
  for (const log of contributed) {
    for (const item of log.args.items) {
      const id = contributionId(log.args.datanetId, item.contentHash).toLowerCase() as Hex;
      if (!accepted.has(id)) continue;
      const type = fileTypeByCode(item.fileType)?.name ?? "unknown";
      const cid = cidFromHex(item.cid);
      if (!cid) {
        skipped.push({ contribution: id, reason: `the CID recorded on chain (${item.cid}) does not parse as a CID` });
        continue;
      }
      const bytes = await readAll(store.cat(cid)).catch(() => undefined);
      if (!bytes) {
        skipped.push({ contribution: id, reason: `its content ${cid} is not on this node` });
        continue;
      }
      if (sha256(bytes) !== item.contentHash.toLowerCase()) {
        skipped.push({ contribution: id, reason: `the content named by ${cid} does not hash to the SHA-256 on chain` });
        continue;
      }
      const text = (await textOf(bytes, type as never))?.trim();
      if (!text) {
        skipped.push({ contribution: id, reason: `no text could be read from its ${type.toUpperCase()} content` });
        continue;
      }
      leaves.push({
        contribution: id,
        sha256: item.contentHash.toLowerCase() as Hex,
        datanetId: log.args.datanetId.toString(),
        cid: cid.toString(),
        size: item.size,
        type,
      });
      records.push({ text });
    }
  }
  if (leaves.length === 0)
    fail(
      "refused",
      "empty_dataset",
      `the Datanets ${request.datanets.join(", ")} have no Accepted text contributions as of block ${block}`,
    );
  const manifest = buildManifest(
    { chainId, ledger: chain.ledger.address, datasetBlock: Number(block), datanets: request.datanets.map(String) },
    leaves,
  );
  return { manifest, records, skipped };
}
