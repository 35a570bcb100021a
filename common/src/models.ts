/**
 * Model provenance, exactly as `ModelRegistry` hashes it: the record's EIP-712 typed data, the dataset's
 * Merkle tree (OpenZeppelin `StandardMerkleTree` over `(bytes32 contributionId, bytes32 sha256)` leaves),
 * and the base model id.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256, toBytes, type Address, type Hex, type LocalAccount } from "viem";

export const MODEL_DOMAIN_NAME = "Provena ModelRegistry";
export const MODEL_DOMAIN_VERSION = "1";

export const modelTypes = {
  ModelRecord: [
    { name: "baseModelId", type: "bytes32" },
    { name: "baseWeightsHash", type: "bytes32" },
    { name: "adapterHash", type: "bytes32" },
    { name: "adapterCid", type: "bytes" },
    { name: "datasetRoot", type: "bytes32" },
    { name: "datasetCid", type: "bytes" },
    { name: "datasetBlock", type: "uint64" },
    { name: "datasetSize", type: "uint32" },
    { name: "configHash", type: "bytes32" },
    { name: "configCid", type: "bytes" },
    { name: "metricsHash", type: "bytes32" },
    { name: "metricsCid", type: "bytes" },
    { name: "parentId", type: "uint256" },
    { name: "creator", type: "address" },
    { name: "deadline", type: "uint64" },
  ],
} as const;

export type ModelRecord = {
  baseModelId: Hex;
  baseWeightsHash: Hex;
  adapterHash: Hex;
  adapterCid: Hex;
  datasetRoot: Hex;
  datasetCid: Hex;
  datasetBlock: bigint;
  datasetSize: number;
  configHash: Hex;
  configCid: Hex;
  metricsHash: Hex;
  metricsCid: Hex;
  parentId: bigint;
  creator: Address;
  deadline: bigint;
};

export const modelDomain = (chainId: number, registry: Address) =>
  ({ name: MODEL_DOMAIN_NAME, version: MODEL_DOMAIN_VERSION, chainId, verifyingContract: registry }) as const;

/** Typed data ready for viem's `signTypedData` / `verifyTypedData`. */
export const modelTypedData = (chainId: number, registry: Address, record: ModelRecord) =>
  ({ domain: modelDomain(chainId, registry), types: modelTypes, primaryType: "ModelRecord", message: record }) as const;

/** The arguments of `ModelRegistry.registerModel`, signed by `attestor`. */
export const signedModel = async (attestor: LocalAccount, chainId: number, registry: Address, record: ModelRecord) =>
  [record, attestor.address, await attestor.signTypedData(modelTypedData(chainId, registry, record))] as const;

/** A base model's on-chain id: keccak256 of its name (e.g. "Qwen/Qwen2.5-0.5B"). */
export const baseModelId = (name: string): Hex => keccak256(toBytes(name));

export type DatasetLeaf = { contribution: Hex; sha256: Hex };

const LEAF_ENCODING = ["bytes32", "bytes32"];

/**
 * The dataset's Merkle tree. `StandardMerkleTree` sorts leaves by their hash, so the same set of
 * contributions gives the same root in any order; a contribution may appear once.
 */
export function datasetTree(leaves: readonly DatasetLeaf[]) {
  if (leaves.length === 0) throw new Error("a dataset needs at least one contribution");
  const seen = new Set<string>();
  for (const leaf of leaves) {
    const id = leaf.contribution.toLowerCase();
    if (seen.has(id)) throw new Error(`contribution ${leaf.contribution} appears twice in the dataset`);
    seen.add(id);
  }
  return StandardMerkleTree.of(
    leaves.map((leaf) => [leaf.contribution.toLowerCase(), leaf.sha256.toLowerCase()]),
    LEAF_ENCODING,
  );
}

export const datasetRoot = (leaves: readonly DatasetLeaf[]): Hex => datasetTree(leaves).root as Hex;
