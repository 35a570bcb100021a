/**
 * Builds the dataset manifest of a trained model (its type, encoding and parser are `@provena/common`'s,
 * which the auditor's verifier reads it with).
 */
import type { Hex } from "viem";
import { datasetRoot, type DatasetManifest, type ManifestLeaf } from "@provena/common";

/** A manifest of `leaves` (any order), its root computed. */
export function buildManifest(
  fields: Omit<DatasetManifest, "kind" | "version" | "root" | "leaves">,
  leaves: ManifestLeaf[],
): DatasetManifest {
  const sorted = [...leaves]
    .map((leaf) => ({ ...leaf, contribution: leaf.contribution.toLowerCase() as Hex, sha256: leaf.sha256.toLowerCase() as Hex }))
    .sort((a, b) => (a.contribution < b.contribution ? -1 : a.contribution > b.contribution ? 1 : 0));
  return {
    kind: "provena-dataset",
    version: 1,
    chainId: fields.chainId,
    ledger: fields.ledger,
    datasetBlock: fields.datasetBlock,
    datanets: [...fields.datanets].sort((a, b) => Number(a) - Number(b)),
    root: datasetRoot(sorted),
    leaves: sorted,
  };
}
