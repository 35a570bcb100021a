/** The checks of a model's dataset: its manifest, its Merkle root, and every leaf against the chain. */
import {
  cidFromHex,
  cidFromString,
  contributionId,
  datasetRoot,
  parseManifest,
  Status,
  statusName,
  type DatasetManifest,
} from "@provena/common";
import type { Hex } from "viem";
import type { Verifier } from "../createVerifier.js";
import { shortMessage } from "../errors.js";
import { contributionFacts, type ContributionFacts } from "../facts/contribution.js";
import { fetchVerified } from "../fetch/fetchVerified.js";
import { sameHex } from "../hex.js";
import { fail, guarded, overLeaves, pass } from "../report/build.js";
import type { Check, LeafFailure } from "../report/types.js";
import { contentProblems } from "./content.js";
import { quorumProblem } from "./votes.js";

export type ManifestCheckReturnType = { check: Check; manifest?: DatasetManifest };

/** The manifest fetched by `datasetCid` parses and is for this chain, ledger and `datasetBlock`. */
export async function manifestCheck(ctx: Verifier, datasetCid: Hex, datasetBlock: bigint): Promise<ManifestCheckReturnType> {
  let manifest: DatasetManifest | undefined;
  const check = await guarded("dataset manifest", async () => {
    const fetched = await fetchVerified(ctx, datasetCid);
    if (!fetched.ok) return fail("dataset manifest", fetched.problem);
    const parsed = parseManifest(fetched.bytes);
    if ("error" in parsed) return fail("dataset manifest", `${fetched.cid}: ${parsed.error}`);
    manifest = parsed;
    const problems: string[] = [];
    const ledger = ctx.deployment.contracts.ContributionLedger.address;
    if (parsed.chainId !== ctx.deployment.chainId)
      problems.push(`it is for chain ${parsed.chainId}, the deployment's is ${ctx.deployment.chainId}`);
    if (!sameHex(parsed.ledger, ledger)) problems.push(`its ledger is ${parsed.ledger}, the deployment's is ${ledger}`);
    if (BigInt(parsed.datasetBlock) !== datasetBlock)
      problems.push(`its datasetBlock is ${parsed.datasetBlock}, the record's is ${datasetBlock}`);
    return problems.length
      ? fail("dataset manifest", `${fetched.cid}: ${problems.join("; ")}`)
      : pass(
          "dataset manifest",
          `${fetched.cid}: ${parsed.leaves.length} leaves from Datanet(s) ${parsed.datanets.join(", ") || "none"}, chain ${parsed.chainId}, ledger ${parsed.ledger}, block ${parsed.datasetBlock}`,
        );
  });
  return manifest ? { check, manifest } : { check };
}

/** The Merkle root of the manifest's leaves is the record's `datasetRoot`, their count its `datasetSize`. Pure. */
export function datasetRootCheck(m: DatasetManifest, record: { datasetRoot: Hex; datasetSize: number }): Check {
  let root: Hex;
  try {
    root = datasetRoot(m.leaves);
  } catch (error) {
    return fail("dataset root", `the manifest's leaves make no dataset: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  if (!sameHex(root, record.datasetRoot))
    problems.push(
      `the Merkle root of the manifest's ${m.leaves.length} leaves is ${root}, the record's datasetRoot is ${record.datasetRoot}`,
    );
  if (m.leaves.length !== record.datasetSize)
    problems.push(`the manifest has ${m.leaves.length} leaves, the record's datasetSize is ${record.datasetSize}`);
  if (problems.length === 0 && !sameHex(m.root, root)) problems.push(`the manifest states root ${m.root}, its leaves give ${root}`);
  return problems.length
    ? fail("dataset root", problems.join("; "))
    : pass("dataset root", `${m.leaves.length} leaves, Merkle root ${root} as recorded`);
}

const LEAF_CHECKS = ["dataset leaves: recorded", "dataset leaves: accepted", "dataset leaves: quorum", "dataset leaves: content"] as const;

/**
 * The four checks over every leaf of the manifest: recorded (the contribution exists and its id is
 * `contributionId(datanet, sha256)`), accepted (finalized Accepted at or before `datasetBlock`), quorum (enough
 * distinct accepting validators before it was final), content (the bytes at the CID on chain hash to the SHA-256).
 */
export async function leafChecks(ctx: Verifier, manifest: DatasetManifest, datasetBlock: bigint, head: bigint): Promise<Check[]> {
  let all: Map<Hex, ContributionFacts>;
  try {
    all = await contributionFacts(
      ctx,
      manifest.leaves.map((leaf) => leaf.contribution),
      head,
    );
  } catch (error) {
    return LEAF_CHECKS.map((name) => fail(name, `could not be checked: ${shortMessage(error)}`));
  }
  const n = manifest.leaves.length;
  const recorded: LeafFailure[] = [];
  const accepted: LeafFailure[] = [];
  const quorum: LeafFailure[] = [];
  const content: LeafFailure[] = [];
  const toFetch: ContributionFacts[] = [];

  for (const leaf of manifest.leaves) {
    const id = leaf.contribution.toLowerCase() as Hex;
    const f = all.get(id)!;
    if (f.stored.status === Status.None) {
      recorded.push({ id, problem: "unknown: no such contribution on chain" });
      content.push({ id, problem: "not checked: unknown contribution" });
      continue;
    }
    const problems: string[] = [];
    const expected = contributionId(BigInt(f.stored.datanetId), leaf.sha256);
    if (!sameHex(expected, id))
      problems.push(
        `the leaf's SHA-256 ${leaf.sha256} is not the one recorded for it in Datanet ${f.stored.datanetId} (that would be contribution ${expected})`,
      );
    if (String(f.stored.datanetId) !== String(leaf.datanetId))
      problems.push(`the manifest says Datanet ${leaf.datanetId}, the chain says ${f.stored.datanetId}`);
    if (!f.contributed) problems.push("no Contributed event found for it");
    else {
      const chainCid = cidFromHex(f.contributed.cid);
      const manifestCid = cidFromString(leaf.cid);
      if (!manifestCid || !chainCid || !manifestCid.equals(chainCid))
        problems.push(`the manifest's CID ${leaf.cid} is not the one on chain (${chainCid?.toString() ?? f.contributed.cid})`);
    }
    if (problems.length) recorded.push({ id, problem: problems.join("; ") });

    const fin = f.finalized;
    if (!fin) accepted.push({ id, problem: `not final: ${statusName(f.stored.status)}` });
    else if (fin.status !== Status.Accepted) accepted.push({ id, problem: `${statusName(fin.status)} at block ${fin.block}` });
    else if (fin.block > datasetBlock)
      accepted.push({ id, problem: `accepted at block ${fin.block}, after the dataset block ${datasetBlock}` });

    if (fin && fin.status === Status.Accepted) {
      const problem = quorumProblem(f);
      if (problem) quorum.push({ id, problem });
    }
    if (f.contributed) toFetch.push(f);
    else content.push({ id, problem: "not checked: no Contributed event (no CID on chain)" });
  }
  const fetched = await contentProblems(ctx, toFetch);
  for (const [id, problem] of fetched) if (problem) content.push({ id, problem });
  const order = new Map(manifest.leaves.map((leaf, i) => [leaf.contribution.toLowerCase(), i]));
  content.sort((a, b) => order.get(a.id)! - order.get(b.id)!);

  return [
    overLeaves(LEAF_CHECKS[0], n, `all ${n} leaves are contributions on chain whose recorded SHA-256 is the leaf's`, recorded),
    overLeaves(LEAF_CHECKS[1], n, `all ${n} leaves were finalized Accepted at or before the dataset block ${datasetBlock}`, accepted),
    overLeaves(LEAF_CHECKS[2], n, `every accepted leaf had at least its Datanet's quorum of distinct accepting validators`, quorum),
    overLeaves(LEAF_CHECKS[3], n, `the bytes of all ${n} leaves, fetched by the CIDs on chain, hash to their recorded SHA-256`, content),
  ];
}
