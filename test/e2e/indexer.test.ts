/**
 * The indexer against a real Hardhat node with real transactions, on embedded PGlite and on PostgreSQL:
 * crafted leaderboards, windows, pagination, every registry event, models with their lineage, flags and
 * attestors, a reorg, a restart, bad parameters.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { bytesToHex, hexToBytes, keccak256, parseEventLogs, toHex, type Address, type Hex, type PrivateKeyAccount } from "viem";
import { cidToString, modelRegistryAbi, baseModelId, signedModel, type ModelRecord } from "@provena/common";
import { rawCidBytes } from "@provena/common/node";
import { until } from "../helpers/until.js";
import { admin, indexerFor, startChain, startPostgres, synced, type Chain, type IndexerUnderTest } from "../helpers/stack.js";

type Entry = {
  rank: number;
  contributor: Address;
  score: number;
  acceptanceRate: number | null;
  accepted: number;
  rejected: number;
  pending: number | null;
  submitted: number;
};
type Board = { entries: Entry[]; nextCursor: string | null };

const lower = (a: { address: Address }) => a.address.toLowerCase() as Address;
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);
const ATTESTOR_ROLE = keccak256(toHex("ATTESTOR_ROLE"));

type ModelView = {
  id: number;
  attestor: Hex;
  creator: Hex;
  adapterHash: Hex;
  adapterCid: Hex;
  adapterCidUri: string;
  datasetRoot: Hex;
  datasetCid: Hex;
  datasetCidUri: string;
  datasetBlock: number;
  datasetSize: number;
  configCid: Hex;
  metricsCid: Hex;
  parentId: number | null;
  signature: Hex;
  flagged: boolean;
  flagReason: string | null;
  attestorActive: boolean;
  attestorRevokedAt: number | null;
  registeredAt: number;
  registeredBlock: number;
  registeredTx: Hex;
};
type ModelDetail = ModelView & { children: number[]; flags: { flagged: boolean; reason: string | null; by: Hex }[] };
type ModelPage = { models: ModelView[]; nextCursor: string | null };

function scenarios(database: "pglite" | "postgres") {
  let chain: Chain;
  let indexer: IndexerUnderTest;
  let stopPostgres: (() => void) | undefined;
  let postgresUrl: string | undefined;
  let v1: PrivateKeyAccount, v2: PrivateKeyAccount, relayer: PrivateKeyAccount, owner: PrivateKeyAccount;

  const board = async (query = "") => {
    await synced(chain, indexer);
    const { status, body } = await indexer.get<Board>(`/leaderboard${query}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body;
  };
  const positions = (entries: Entry[], who: PrivateKeyAccount[]) => who.map((a) => entries.findIndex((e) => e.contributor === lower(a)));

  before(async () => {
    if (database === "postgres") {
      const pg = await startPostgres();
      if (!pg) return;
      stopPostgres = pg.stop;
      postgresUrl = pg.url;
    }
    chain = await startChain();
    [v1, v2, relayer, owner] = await Promise.all([chain.account(), chain.account(), chain.account(), chain.account()]);
    indexer = await indexerFor(chain, postgresUrl ? { kind: "postgres", url: postgresUrl } : { kind: "pglite" });
  });

  after(async () => {
    await indexer?.stop();
    await chain?.close();
    stopPostgres?.();
  });

  const NO_POSTGRES = "no PostgreSQL on this machine (install Debian's postgresql, or set PROVENA_TEST_DATABASE_URL)";

  test("many rejections do not lower a contributor's rank", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const datanet = await chain.createDatanet(owner, [v1]);
    const [a, b] = [await chain.account(), await chain.account()];
    await chain.judge(await chain.contribute(a, datanet, 2), [v1], true, 80, relayer);
    await chain.judge(await chain.contribute(b, datanet, 1), [v1], true, 90, relayer);
    const before = (await board(`?datanet=${datanet}`)).entries;
    assert.deepEqual(positions(before, [a, b]), [0, 1]);
    await chain.judge(await chain.contribute(a, datanet, 10), [v1], false, 0, relayer);
    const afterRejections = (await board(`?datanet=${datanet}`)).entries;
    assert.deepEqual(positions(afterRejections, [a, b]), [0, 1]);
    close(afterRejections[0]!.score, 1.6);
    assert.equal(afterRejections[0]!.rejected, 10);
    close(afterRejections[0]!.acceptanceRate!, 2 / 12);
  });

  test("5 accepted at high scores outrank 5 accepted at low scores", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const datanet = await chain.createDatanet(owner, [v1]);
    const [low, high] = [await chain.account(), await chain.account()];
    await chain.judge(await chain.contribute(low, datanet, 5), [v1], true, 40, relayer);
    await chain.judge(await chain.contribute(high, datanet, 5), [v1], true, 90, relayer);
    const { entries } = await board(`?datanet=${datanet}`);
    assert.deepEqual(positions(entries, [high, low]), [0, 1]);
    close(entries[0]!.score, 4.5);
    close(entries[1]!.score, 2);
  });

  test("pending contributions count only once final (quorum of 2)", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const datanet = await chain.createDatanet(owner, [v1, v2], 2);
    const contributor = await chain.account();
    const ids = await chain.contribute(contributor, datanet, 3);
    const find = async () => (await board(`?datanet=${datanet}`)).entries.find((e) => e.contributor === lower(contributor))!;
    assert.deepEqual([(await find()).score, (await find()).pending], [0, 3]);
    await chain.judge(ids, [v1], true, 100, relayer); // one of two votes: still pending
    let entry = await find();
    assert.deepEqual([entry.score, entry.pending, entry.accepted], [0, 3, 0]);
    type Listed = { id: Hex; status: string; accepts: number; rejects: number };
    const listed = (await indexer.get<{ contributions: Listed[] }>(`/contributions?datanet=${datanet}`)).body.contributions;
    assert.deepEqual(
      listed.map((c) => [c.status, c.accepts, c.rejects]),
      ids.map(() => ["pending", 1, 0]),
    );
    await chain.judge(ids, [v2], true, 50, relayer); // quorum: final, mean score 75
    entry = await find();
    close(entry.score, 2.25);
    assert.deepEqual([entry.pending, entry.accepted], [0, 3]);
    const { body } = await indexer.get<{
      status: string;
      score: number;
      accepts: number;
      rejects: number;
      votes: { validator: Hex; counted: boolean }[];
    }>(`/contributions/${ids[0]}`);
    assert.equal(body.status, "accepted");
    close(body.score, 0.75);
    assert.deepEqual([body.accepts, body.rejects], [2, 0]);
    assert.deepEqual(
      body.votes.map((v) => v.validator),
      [lower(v1), lower(v2)],
      "votes in chain order",
    );
    const validators = (await indexer.get<{ validators: { address: Hex; votes: number }[] }>(`/datanets/${datanet}`)).body.validators;
    assert.deepEqual(new Set(validators.map((v) => `${v.address} ${v.votes}`)), new Set([`${lower(v1)} 3`, `${lower(v2)} 3`]));
  });

  test("ties go to the higher acceptance rate, then to whoever reached the score first", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const datanet = await chain.createDatanet(owner, [v1]);
    const [mixed, first, second] = [await chain.account(), await chain.account(), await chain.account()];
    await chain.judge(await chain.contribute(mixed, datanet, 1), [v1], true, 50, relayer);
    await chain.judge(await chain.contribute(mixed, datanet, 1), [v1], false, 0, relayer);
    const secondIds = await chain.contribute(second, datanet, 1); // submitted before, accepted after `first`
    await chain.judge(await chain.contribute(first, datanet, 1), [v1], true, 50, relayer);
    await chain.judge(secondIds, [v1], true, 50, relayer);
    const { entries } = await board(`?datanet=${datanet}`);
    assert.deepEqual(positions(entries, [first, second, mixed]), [0, 1, 2]);
    assert.deepEqual(
      entries.map((e) => e.rank),
      [1, 2, 3],
    );
  });

  test("per-Datanet boards count their Datanet only; the global board sums them", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const [d1, d2] = [await chain.createDatanet(owner, [v1]), await chain.createDatanet(owner, [v1])];
    const both = await chain.account();
    await chain.judge(await chain.contribute(both, d1, 1), [v1], true, 60, relayer);
    await chain.judge(await chain.contribute(both, d2, 2), [v1], true, 70, relayer);
    const pick = (b: Board) => b.entries.find((e) => e.contributor === lower(both))!;
    close(pick(await board(`?datanet=${d1}`)).score, 0.6);
    close(pick(await board(`?datanet=${d2}`)).score, 1.4);
    close(pick(await board()).score, 2);
    const { status, body } = await indexer.get<{
      score: number;
      rank: number;
      datanets: { datanetId: number; score: number; rank: number }[];
    }>(`/contributors/${both.address}`);
    assert.equal(status, 200);
    close(body.score, 2);
    assert.deepEqual(
      body.datanets.map((d) => [d.datanetId, d.rank]),
      [
        [Number(d1), 1],
        [Number(d2), 1],
      ],
    );
    const global = (await board("?limit=100")).entries;
    assert.equal(body.rank, global.findIndex((e) => e.contributor === lower(both)) + 1);
  });

  test("cursor pagination walks the whole board once, in order", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const full = (await board("?limit=100")).entries;
    assert.ok(full.length >= 8, `only ${full.length} contributors`);
    const walked: Entry[] = [];
    let cursor: string | null = null;
    do {
      const page: Board = await board(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      walked.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(walked, full);
    assert.deepEqual(
      full.map((e) => e.rank),
      full.map((_, i) => i + 1),
    );
    const week = (await board("?window=7d&limit=100")).entries;
    const weekWalked: Entry[] = [];
    cursor = null;
    do {
      const page: Board = await board(`?window=7d&limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      weekWalked.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(weekWalked, week);
  });

  test("every registry event lands in the Datanet, validator, allow-list and protocol tables", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const datanet = await chain.createDatanet(owner, [v1, v2], 2);
    const [successor, member] = [await chain.account(), await chain.account()];
    const asOwner = chain.registryAs(owner);
    await asOwner.write("setQuorum", [datanet, 1]);
    await asOwner.write("removeValidators", [datanet, [v2.address]]);
    await asOwner.write("setDailyByteCap", [datanet, 1024n]);
    await asOwner.write("setPublic", [datanet, false]);
    await asOwner.write("setAllowList", [datanet, [member.address], true]);
    await asOwner.write("setReceiptRequired", [datanet, true]);
    await asOwner.write("transferOwnership", [datanet, successor.address]);
    await synced(chain, indexer);
    type DatanetView = Record<string, unknown> & { validators: { address: Hex }[] };
    assert.equal((await indexer.get<DatanetView>(`/datanets/${datanet}`)).body.pendingOwner, lower(successor));
    await chain.registryAs(successor).write("acceptOwnership", [datanet]);
    // Metadata is read by CID from the content directory and checked against it.
    const metadata = new TextEncoder().encode(JSON.stringify({ summary: "Recipes", tags: ["food"], license: "CC0-1.0" }));
    await chain.registryAs(successor).write("setMetadata", [datanet, chain.storeContent(metadata)]);
    await synced(chain, indexer);
    // Metadata is fetched in the background, after indexing: "pending" until then.
    const settled = async (cid: Hex) => {
      let view: DatanetView | undefined;
      await until("the metadata fetched", async () => {
        view = (await indexer.get<DatanetView>(`/datanets/${datanet}`)).body;
        return view.metadataCid === cid && view.metadataStatus !== "pending";
      });
      return view!;
    };
    const body = await settled(bytesToHex(rawCidBytes(metadata)));
    assert.deepEqual(
      [body.owner, body.pendingOwner, body.quorum, body.validatorCount, body.dailyByteCap, body.isPublic, body.receiptRequired],
      [lower(successor), null, 1, 1, 1024, false, true],
    );
    assert.deepEqual(
      [body.metadataStatus, body.summary, body.tags, body.license, body.description],
      ["resolved", "Recipes", ["food"], "CC0-1.0", null],
    );
    assert.deepEqual(
      body.validators.map((v) => v.address),
      [lower(v1)],
    );
    // A file stored under a CID it does not hash to is refused, not indexed as the metadata.
    const forged = chain.storeContent(new TextEncoder().encode("{}"), new TextEncoder().encode(JSON.stringify({ summary: "forged" })));
    await chain.registryAs(successor).write("setMetadata", [datanet, forged]);
    await synced(chain, indexer);
    const refused = await settled(forged);
    assert.deepEqual([refused.metadataStatus, refused.summary], ["cid_mismatch", null]);
    const asAdmin = chain.registryAs(admin);
    await asAdmin.write("pause", []);
    await synced(chain, indexer);
    const query = async () => {
      const response = await fetch(`${indexer.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          query: `{ protocol(id: "protocol") { paused maxFileBytes } allowListEntrys { items { account allowed } } }`,
        }),
      });
      return (await response.json()) as {
        data: { protocol: { paused: boolean; maxFileBytes: number }; allowListEntrys: { items: { account: Hex }[] } };
      };
    };
    const paused = await query();
    assert.equal(paused.data.protocol.paused, true);
    assert.equal(paused.data.protocol.maxFileBytes, 5 * 1_048_576);
    assert.ok(paused.data.allowListEntrys.items.some((e) => e.account === lower(member)));
    await asAdmin.write("unpause", []);
    await synced(chain, indexer);
    assert.equal((await query()).data.protocol.paused, false);
  });

  test("models: records, lineage, flags and a revoked attestor, over REST and GraphQL", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const registry = chain.deployment.contracts.ModelRegistry.address;
    const asAdmin = async (functionName: "grantRole" | "revokeRole" | "flagModel" | "clearFlag", args: readonly unknown[]) =>
      chain.wait(await chain.wallet(admin).writeContract({ address: registry, abi: modelRegistryAbi, functionName, args } as never));
    const register = async (signer: PrivateKeyAccount, creator: PrivateKeyAccount, parentId = 0n) => {
      const [adapter, dataset, config, metrics] = [chain.file(), chain.file(), chain.file(), chain.file()];
      const block = await chain.publicClient.getBlock();
      const record: ModelRecord = {
        baseModelId: baseModelId("e2e/base"),
        baseWeightsHash: keccak256(toHex("e2e base weights")),
        adapterHash: adapter.contentHash,
        adapterCid: adapter.cid,
        datasetRoot: dataset.contentHash,
        datasetCid: dataset.cid,
        datasetBlock: block.number,
        datasetSize: 3,
        configHash: config.contentHash,
        configCid: config.cid,
        metricsHash: metrics.contentHash,
        metricsCid: metrics.cid,
        parentId,
        creator: creator.address,
        deadline: block.timestamp + 3_600n,
      };
      const args = await signedModel(signer, chain.deployment.chainId, registry, record);
      const receipt = await chain.wait(
        await chain.wallet(relayer).writeContract({ address: registry, abi: modelRegistryAbi, functionName: "registerModel", args }),
      );
      const [registered] = parseEventLogs({ abi: modelRegistryAbi, logs: receipt.logs, eventName: "ModelRegistered" });
      return { id: Number(registered!.args.modelId), record, signature: args[2], receipt };
    };
    const [kept, revoked, alice, bob] = [await chain.account(), await chain.account(), await chain.account(), await chain.account()];
    await asAdmin("grantRole", [ATTESTOR_ROLE, kept.address]);
    await asAdmin("grantRole", [ATTESTOR_ROLE, revoked.address]);
    const root = await register(kept, alice);
    const child = await register(kept, bob, BigInt(root.id));
    const sibling = await register(revoked, alice, BigInt(root.id));
    const grandchild = await register(revoked, alice, BigInt(child.id));
    await asAdmin("flagModel", [BigInt(child.id), "trained on infringing data"]);
    await asAdmin("flagModel", [BigInt(sibling.id), "under review"]);
    await asAdmin("clearFlag", [BigInt(sibling.id)]);
    await asAdmin("revokeRole", [ATTESTOR_ROLE, revoked.address]);
    await synced(chain, indexer);
    const mine = [root.id, child.id, sibling.id, grandchild.id];
    const list = async (q: string) => {
      const { status, body } = await indexer.get<ModelPage>(`/models${q}`);
      assert.equal(status, 200, JSON.stringify(body));
      return body;
    };
    const ids = async (q: string) => (await list(q)).models.map((m) => m.id).filter((id) => mine.includes(id));

    // The record as the event carried it, and where it was registered.
    const { body: detail } = await indexer.get<ModelDetail>(`/models/${child.id}`);
    const block = await chain.publicClient.getBlock({ blockNumber: child.receipt.blockNumber });
    assert.deepEqual(
      [detail.id, detail.attestor, detail.creator, detail.parentId, detail.signature],
      [child.id, lower(kept), lower(bob), root.id, child.signature],
    );
    assert.deepEqual(
      [detail.adapterHash, detail.adapterCid, detail.datasetRoot, detail.datasetCid, detail.configCid, detail.metricsCid],
      [
        child.record.adapterHash,
        child.record.adapterCid,
        child.record.datasetRoot,
        child.record.datasetCid,
        child.record.configCid,
        child.record.metricsCid,
      ],
    );
    assert.deepEqual(
      [detail.adapterCidUri, detail.datasetCidUri],
      [cidToString(hexToBytes(child.record.adapterCid)), cidToString(hexToBytes(child.record.datasetCid))],
    );
    assert.deepEqual([detail.datasetBlock, detail.datasetSize], [Number(child.record.datasetBlock), 3]);
    assert.deepEqual(
      [detail.registeredBlock, detail.registeredTx, detail.registeredAt],
      [Number(child.receipt.blockNumber), child.receipt.transactionHash, Number(block.timestamp)],
    );
    // Lineage and flags.
    assert.deepEqual([detail.flagged, detail.flagReason, detail.children], [true, "trained on infringing data", [grandchild.id]]);
    assert.deepEqual(
      detail.flags.map((f) => [f.flagged, f.reason, f.by]),
      [[true, "trained on infringing data", lower(admin)]],
    );
    const cleared = (await indexer.get<ModelDetail>(`/models/${sibling.id}`)).body;
    assert.deepEqual(
      [cleared.flagged, cleared.flagReason, cleared.flags.map((f) => [f.flagged, f.reason])],
      [
        false,
        null,
        [
          [true, "under review"],
          [false, null],
        ],
      ],
    );
    const rootDetail = (await indexer.get<ModelDetail>(`/models/${root.id}`)).body;
    assert.deepEqual([rootDetail.parentId, rootDetail.children, rootDetail.flags], [null, [child.id, sibling.id], []]);
    // A revoked attestor's models stay, noted as such.
    assert.deepEqual([rootDetail.attestorActive, rootDetail.attestorRevokedAt], [true, null]);
    const byRevoked = (await list(`?attestor=${revoked.address}`)).models;
    assert.deepEqual(
      byRevoked.map((m) => m.id),
      [sibling.id, grandchild.id],
    );
    assert.ok(byRevoked.every((m) => !m.attestorActive && typeof m.attestorRevokedAt === "number"));

    // Filters, alone and together.
    assert.deepEqual(await ids("?limit=100"), mine);
    assert.deepEqual(await ids(`?creator=${alice.address}`), [root.id, sibling.id, grandchild.id]);
    assert.deepEqual(await ids(`?attestor=${kept.address.toLowerCase()}`), [root.id, child.id]);
    assert.deepEqual(await ids(`?parent=${root.id}`), [child.id, sibling.id]);
    assert.deepEqual(await ids("?parent=0&limit=100"), [root.id]);
    assert.deepEqual(await ids("?flagged=true&limit=100"), [child.id]);
    assert.deepEqual(await ids("?flagged=false&limit=100"), [root.id, sibling.id, grandchild.id]);
    assert.deepEqual(await ids(`?creator=${alice.address}&flagged=false&parent=${root.id}`), [sibling.id]);
    assert.deepEqual(await ids(`?creator=${bob.address}&attestor=${revoked.address}`), []);

    // Cursor pagination walks every model once, in id order, with and without a filter.
    const walk = async (q: string, limit: number) => {
      const walked: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: ModelPage = await list(`?${q}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
        assert.ok(page.models.length <= limit);
        walked.push(...page.models.map((m) => m.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      return { walked, pages };
    };
    const all = (await list("?limit=100")).models.map((m) => m.id);
    assert.deepEqual((await walk("", 1)).walked, all);
    assert.deepEqual(await walk(`creator=${alice.address}&`, 2), { walked: [root.id, sibling.id, grandchild.id], pages: 2 });

    // GraphQL: the same tables, with their relations.
    const response = await fetch(`${indexer.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `{
          model(id: "${child.id}") {
            creator flagged flagReason
            parent { id creator }
            children { items { id } }
            flags { items { flagged reason by } }
            attestedBy { address active }
          }
          revoked: attestor(address: "${revoked.address}") { active revokedAt models { items { id } } }
          modelRoleMembers(where: { role: "${ATTESTOR_ROLE}", account: "${revoked.address.toLowerCase()}" }) { items { active } }
        }`,
      }),
    });
    type Graph = {
      data: {
        model: {
          creator: Hex;
          flagged: boolean;
          flagReason: string;
          parent: { id: string; creator: Hex };
          children: { items: { id: string }[] };
          flags: { items: { flagged: boolean; reason: string; by: Hex }[] };
          attestedBy: { address: Hex; active: boolean };
        };
        revoked: { active: boolean; revokedAt: string | null; models: { items: { id: string }[] } };
        modelRoleMembers: { items: { active: boolean }[] };
      };
      errors?: unknown;
    };
    const graph = (await response.json()) as Graph;
    assert.equal(graph.errors, undefined, JSON.stringify(graph.errors));
    const { model, revoked: revokedAttestor, modelRoleMembers } = graph.data;
    assert.deepEqual(
      [model.creator, model.flagged, model.flagReason, model.parent, model.children.items, model.attestedBy],
      [
        lower(bob),
        true,
        "trained on infringing data",
        { id: String(root.id), creator: lower(alice) },
        [{ id: String(grandchild.id) }],
        { address: lower(kept), active: true },
      ],
    );
    assert.deepEqual(model.flags.items, [{ flagged: true, reason: "trained on infringing data", by: lower(admin) }]);
    assert.equal(revokedAttestor.active, false);
    assert.notEqual(revokedAttestor.revokedAt, null);
    assert.deepEqual(new Set(revokedAttestor.models.items.map((m) => Number(m.id))), new Set([sibling.id, grandchild.id]));
    assert.deepEqual(modelRoleMembers.items, [{ active: false }]);
  });

  test("bad query parameters get 400 naming the parameter; unknown ids 404", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const cases: [string, string][] = [
      ["/leaderboard?window=1y", "window"],
      ["/leaderboard?limit=0", "limit"],
      ["/leaderboard?limit=101", "limit"],
      ["/leaderboard?limit=ten", "limit"],
      ["/leaderboard?datanet=0", "datanet"],
      ["/leaderboard?datanet=-1", "datanet"],
      ["/leaderboard?cursor=garbage", "cursor"],
      ["/leaderboard?sort=volume", "sort"],
      ["/contributions?status=maybe", "status"],
      ["/contributions?contributor=0x1234", "contributor"],
      ["/contributions?cursor=%%%", "cursor"],
      ["/contributors/not-an-address", "address"],
      ["/datanets/abc", "id"],
      ["/datanets?limit=1000", "limit"],
      ["/contributions/0x12", "id"],
      ["/models/abc", "id"],
      ["/models/0", "id"],
      ["/models/-1", "id"],
      ["/models/1?verbose=1", "verbose"],
      ["/models?flagged=yes", "flagged"],
      ["/models?parent=-1", "parent"],
      ["/models?parent=first", "parent"],
      ["/models?creator=0x1234", "creator"],
      ["/models?attestor=nobody", "attestor"],
      ["/models?limit=101", "limit"],
      ["/models?cursor=0", "cursor"],
      ["/models?cursor=abc", "cursor"],
      ["/models?sort=newest", "sort"],
    ];
    for (const [path, parameter] of cases) {
      const { status, body } = await indexer.get<{ error: string; parameter: string }>(path);
      assert.equal(status, 400, path);
      assert.equal(body.parameter, parameter, path);
      assert.match(body.error, new RegExp(`^${parameter}: `), path);
    }
    assert.equal((await indexer.get("/datanets/999999")).status, 404);
    assert.deepEqual(await indexer.get("/models/999999"), { status: 404, body: { error: "no model 999999" } });
    assert.equal((await indexer.get(`/contributors/${(await chain.account()).address}`)).status, 404);
  });

  test("SQL over HTTP is not served: a write sent as Ponder's client would send it answers 404 and changes nothing", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    // Ponder 0.16 remembers queries that passed its read-only check by 10 hex digits of their SHA-256, so a
    // colliding UPDATE after its allowed twin ran unchecked. The endpoint is gone: neither gets an answer.
    const before = await indexer.get("/datanets");
    for (const query of ["SELECT 63159", "UPDATE datanet SET name = 'pwned'"]) {
      const sql = encodeURIComponent(JSON.stringify({ json: { sql: query, params: [], typings: [] } }));
      const response = await fetch(`${indexer.url}/sql/db?sql=${sql}`);
      assert.equal(response.status, 404, query);
      await response.body?.cancel();
    }
    assert.deepEqual(await indexer.get("/datanets"), before);
  });

  test("a reorg (evm_snapshot, evm_revert, different blocks) leaves the new chain's state", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const datanet = await chain.createDatanet(owner, [v1]);
    const [gone, kept] = [await chain.account(), await chain.account()];
    await synced(chain, indexer);
    const snapshot = await chain.testClient.snapshot();
    const goneIds = await chain.contribute(gone, datanet, 2);
    await chain.judge(goneIds, [v1], true, 99, relayer);
    assert.equal((await board(`?datanet=${datanet}`)).entries.length, 1);
    await chain.testClient.revert({ id: snapshot });
    const keptIds = await chain.contribute(kept, datanet, 1);
    await chain.judge(keptIds, [v1], true, 30, relayer);
    await chain.testClient.request({ method: "evm_mine" } as never);
    await chain.testClient.request({ method: "evm_mine" } as never);
    const { entries } = await board(`?datanet=${datanet}`);
    assert.deepEqual(
      entries.map((e) => e.contributor),
      [lower(kept)],
    );
    close(entries[0]!.score, 0.3);
    assert.equal((await indexer.get(`/contributions/${goneIds[0]}`)).status, 404);
    const { body } = await indexer.get<{ contributions: number; accepted: number; contributors: number }>(`/datanets/${datanet}`);
    assert.deepEqual([body.contributions, body.accepted, body.contributors], [1, 1, 1]);
  });

  test("a restarted indexer resumes without counting anything twice", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const datanet = await chain.createDatanet(owner, [v1]);
    const contributor = await chain.account();
    await chain.judge(await chain.contribute(contributor, datanet, 3), [v1], true, 40, relayer);
    await synced(chain, indexer);
    const schema = indexer.schema;
    const modelsBefore = (await indexer.get<ModelPage>("/models?limit=100")).body;
    assert.ok(modelsBefore.models.length > 0, "the models test registered models before this one");
    assert.equal(await indexer.stop(), 0);
    // while it is down
    await chain.judge(await chain.contribute(contributor, datanet, 2), [v1], false, 0, relayer);
    indexer = await indexerFor(chain, postgresUrl ? { kind: "postgres", url: postgresUrl } : { kind: "pglite" }, schema);
    await synced(chain, indexer);
    type Profile = { submitted: number; accepted: number; rejected: number; score: number; activeDays: number };
    const after = (await indexer.get<Profile>(`/contributors/${contributor.address}`)).body;
    assert.deepEqual([after.submitted, after.accepted, after.rejected, after.activeDays], [5, 3, 2, 1]);
    close(after.score, 1.2);
    const datanetRow = (await indexer.get<{ contributions: number; contributors: number }>(`/datanets/${datanet}`)).body;
    assert.deepEqual([datanetRow.contributions, datanetRow.contributors], [5, 1]);
    assert.deepEqual((await indexer.get<ModelPage>("/models?limit=100")).body, modelsBefore);
  });

  test("the 7-day window drops older activity; 30 days and all-time keep it", async (t) => {
    if (!chain) return t.skip(NO_POSTGRES);
    const datanet = await chain.createDatanet(owner, [v1]);
    const [old, recent] = [await chain.account(), await chain.account()];
    await chain.judge(await chain.contribute(old, datanet, 2), [v1], true, 90, relayer);
    await chain.testClient.increaseTime({ seconds: 8 * 86_400 });
    await chain.judge(await chain.contribute(recent, datanet, 1), [v1], true, 20, relayer);
    const contributors = async (query: string) => (await board(query)).entries.map((e) => e.contributor);
    assert.deepEqual(await contributors(`?datanet=${datanet}&window=7d`), [lower(recent)]);
    assert.deepEqual(await contributors(`?datanet=${datanet}&window=30d`), [lower(old), lower(recent)]);
    assert.deepEqual(await contributors(`?datanet=${datanet}`), [lower(old), lower(recent)]);
    const global7 = await contributors("?window=7d&limit=100");
    assert.ok(global7.includes(lower(recent)) && !global7.includes(lower(old)));
  });
}

describe("indexer on embedded PGlite", () => scenarios("pglite"));
describe("indexer on PostgreSQL", () => scenarios("postgres"));
