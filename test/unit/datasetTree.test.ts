/**
 * The dataset Merkle tree of a model's provenance (`common/src/models.ts`): OpenZeppelin's standard
 * leaves, independent of order, each contribution once.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeAbiParameters, keccak256, toHex, type Hex } from "viem";
import { datasetRoot, datasetTree } from "@provena/common";

const word = (label: string): Hex => keccak256(toHex(label));
const leaves = Array.from({ length: 9 }, (_, i) => ({ contribution: word(`c${i}`), sha256: word(`s${i}`) }));

test("one leaf: the root is the double-hashed ABI encoding of (contribution, sha256)", () => {
  const [leaf] = leaves;
  const expected = keccak256(
    keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [leaf!.contribution, leaf!.sha256])),
  );
  assert.equal(datasetRoot([leaf!]), expected);
});

test("the root does not depend on the order of the contributions, and proofs verify", () => {
  const root = datasetRoot(leaves);
  assert.equal(datasetRoot([...leaves].reverse()), root);
  assert.equal(
    datasetRoot(leaves.map((l) => ({ contribution: l.contribution.toUpperCase().replace("0X", "0x") as Hex, sha256: l.sha256 }))),
    root,
  );
  assert.notEqual(datasetRoot(leaves.slice(1)), root);
  const tree = datasetTree(leaves);
  for (const [i, value] of tree.entries()) assert.ok(tree.verify(value, tree.getProof(i)));
});

test("an empty dataset or a contribution listed twice is refused", () => {
  assert.throws(() => datasetTree([]), /at least one contribution/);
  assert.throws(() => datasetTree([...leaves, leaves[3]!]), /appears twice/);
});
