/**
 * The dataset manifest of a trained model: every contribution it was trained on, with where its bytes
 * are, as of one block. Pinned to IPFS; its CID is the model record's `datasetCid`, and the Merkle root of
 * its leaves (`./models.ts`) the record's `datasetRoot`. An auditor trusts nothing in it that the
 * chain can check: each leaf is checked against the chain's own records.
 */
import type { Address, Hex } from "viem";

export type ManifestLeaf = {
  contribution: Hex;
  sha256: Hex;
  datanetId: string;
  /** The content's CID as a string (the chain records the same bytes). */
  cid: string;
  size: number;
  type: string;
};

export type DatasetManifest = {
  kind: "provena-dataset";
  version: 1;
  chainId: number;
  ledger: Address;
  /** Accepted at or before this block. */
  datasetBlock: number;
  datanets: string[];
  root: Hex;
  /** Sorted by contribution id. */
  leaves: ManifestLeaf[];
};

/** The manifest's bytes as pinned: JSON with fields in a fixed order, so the same dataset has one CID. */
export const encodeManifest = (manifest: DatasetManifest): Uint8Array => new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`);

const HEX32 = /^0x[0-9a-f]{64}$/;

/** Parses manifest bytes, or says what is wrong with them. Never throws. */
export function parseManifest(bytes: Uint8Array): DatasetManifest | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return { error: "the manifest is not JSON" };
  }
  const m = value as Partial<DatasetManifest>;
  if (m?.kind !== "provena-dataset" || m.version !== 1) return { error: "not a version-1 Provena dataset manifest" };
  if (
    !Number.isInteger(m.chainId) ||
    !Number.isInteger(m.datasetBlock) ||
    typeof m.ledger !== "string" ||
    !Array.isArray(m.leaves) ||
    !Array.isArray(m.datanets)
  ) {
    return { error: "the manifest lacks chainId, ledger, datasetBlock, datanets or leaves" };
  }
  for (const [i, leaf] of m.leaves.entries()) {
    if (!HEX32.test(String(leaf?.contribution)) || !HEX32.test(String(leaf?.sha256)) || typeof leaf.cid !== "string") {
      return { error: `leaf ${i} lacks a contribution id, SHA-256 or CID` };
    }
  }
  return m as DatasetManifest;
}
