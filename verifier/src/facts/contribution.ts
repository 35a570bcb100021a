import { contributionId, mapLimit, Status } from "@provena/common";
import type { Address, Hex } from "viem";
import type { Verifier } from "../createVerifier.js";
import { logsOver } from "../fetch/logs.js";
import { ledgerOf, registryOf } from "./contracts.js";

export type Vote = { validator: Address; accept: boolean; score: number; reason: number; block: bigint; logIndex: number };

export type ContributionFacts = {
  id: Hex;
  /** `getContribution` now; status `Status.None` for an unknown id. */
  stored: { contributor: Address; datanetId: number; fileType: number; status: number; score: number; accepts: number; rejects: number };
  /** Its item in the `Contributed` event. */
  contributed?: {
    block: bigint;
    tx: Hex;
    contributor: Address;
    datanetId: bigint;
    contentHash: Hex;
    cid: Hex;
    size: number;
    fileType: number;
  };
  finalized?: { block: bigint; logIndex: number; status: number; score: number };
  votes: Vote[];
  /** The Datanet's quorum at the finalization block. */
  quorum?: number;
};

/** Ids filtered by topic when few; otherwise all events of the range, kept by id. */
const ID_TOPIC_LIMIT = 32;

/** Parallel `eth_call`s at once (they go out in JSON-RPC batches). */
const READS = 64;

/**
 * Everything the chain says about `ids` up to block `head`: stored state, the `Contributed` item, the
 * finalization, the votes and the quorum at the finalization block. A few `getLogs` calls in all.
 */
export async function contributionFacts(ctx: Verifier, ids: readonly Hex[], head: bigint): Promise<Map<Hex, ContributionFacts>> {
  const ledger = ledgerOf(ctx);
  const unique = [...new Set(ids.map((id) => id.toLowerCase() as Hex))];
  const facts = new Map<Hex, ContributionFacts>();
  const stored = await mapLimit(unique, READS, (id) =>
    ctx.client.readContract({ ...ledger, functionName: "getContribution", args: [id], blockNumber: head }),
  );
  unique.forEach((id, i) => {
    const s = stored[i]!;
    facts.set(id, {
      id,
      stored: {
        contributor: s.contributor,
        datanetId: s.datanetId,
        fileType: s.fileType,
        status: s.status,
        score: s.score,
        accepts: s.accepts,
        rejects: s.rejects,
      },
      votes: [],
    });
  });
  const known = unique.filter((id) => facts.get(id)!.stored.status !== Status.None);
  if (known.length === 0) return facts;
  const from = BigInt(ctx.deployment.contracts.ContributionLedger.startBlock);
  const byTopic = known.length <= ID_TOPIC_LIMIT;

  // Contributed: indexed by Datanet, items in the data; ids recomputed from (datanetId, contentHash).
  const datanets = [...new Set(known.map((id) => BigInt(facts.get(id)!.stored.datanetId)))];
  const contributed = await logsOver(ctx, from, head, (fromBlock, toBlock) =>
    ctx.client.getContractEvents({ ...ledger, eventName: "Contributed", args: { datanetId: datanets }, fromBlock, toBlock, strict: true }),
  );
  for (const log of contributed) {
    for (const item of log.args.items) {
      const id = contributionId(log.args.datanetId, item.contentHash).toLowerCase() as Hex;
      const f = facts.get(id);
      if (!f || f.contributed) continue;
      f.contributed = {
        block: log.blockNumber,
        tx: log.transactionHash,
        contributor: log.args.contributor,
        datanetId: log.args.datanetId,
        contentHash: item.contentHash,
        cid: item.cid,
        size: item.size,
        fileType: item.fileType,
      };
    }
  }

  const idArgs = byTopic ? { id: known } : undefined;
  const finalized = await logsOver(ctx, from, head, (fromBlock, toBlock) =>
    ctx.client.getContractEvents({
      ...ledger,
      eventName: "ContributionFinalized",
      ...(idArgs ? { args: idArgs } : {}),
      fromBlock,
      toBlock,
      strict: true,
    }),
  );
  for (const log of finalized) {
    const f = facts.get(log.args.id.toLowerCase() as Hex);
    if (f && !f.finalized) f.finalized = { block: log.blockNumber, logIndex: log.logIndex, status: log.args.status, score: log.args.score };
  }
  const votes = await logsOver(ctx, from, head, (fromBlock, toBlock) =>
    ctx.client.getContractEvents({
      ...ledger,
      eventName: "VoteCast",
      ...(idArgs ? { args: idArgs } : {}),
      fromBlock,
      toBlock,
      strict: true,
    }),
  );
  for (const log of votes) {
    const f = facts.get(log.args.id.toLowerCase() as Hex);
    if (!f) continue;
    f.votes.push({
      validator: log.args.validator,
      accept: log.args.accept,
      score: log.args.score,
      reason: log.args.reason,
      block: log.blockNumber,
      logIndex: log.logIndex,
    });
  }

  // The quorum as of each finalization block, read once per (Datanet, block).
  const quorumKeys = new Map<string, { datanetId: bigint; block: bigint }>();
  for (const f of facts.values()) {
    if (f.finalized)
      quorumKeys.set(`${f.stored.datanetId}@${f.finalized.block}`, { datanetId: BigInt(f.stored.datanetId), block: f.finalized.block });
  }
  const keys = [...quorumKeys.entries()];
  const quorums = await mapLimit(keys, READS, ([, k]) =>
    ctx.client.readContract({ ...registryOf(ctx), functionName: "getDatanet", args: [k.datanetId], blockNumber: k.block }),
  );
  const quorumAt = new Map(keys.map(([key], i) => [key, quorums[i]!.quorum]));
  for (const f of facts.values()) {
    if (f.finalized) f.quorum = quorumAt.get(`${f.stored.datanetId}@${f.finalized.block}`);
  }
  return facts;
}
