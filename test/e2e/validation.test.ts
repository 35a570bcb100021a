/**
 * The automatic validator and the verdict relay against a real Hardhat node: upload → contribute →
 * automatic verdict → Accepted or Rejected on chain, with the assessment served; human verdicts relayed
 * in batches; forged, replayed and expired verdicts refused; the attestor killed mid-relay (no verdict
 * lost, none submitted twice); the chain node going away and coming back (the relay resumes).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contributionLedgerAbi, datanetRegistryAbi, signedVerdict, type Verdict, Reason, Status } from "@provena/common";
import { parseEther, type Hex, type PrivateKeyAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { prose } from "../fixtures/prose.js";
import { postJson, signIn, spawnAttestor, startAttestor, upload } from "../helpers/attestor.js";
import { startProxy } from "../helpers/proxy.js";
import { startChain, type Chain } from "../helpers/stack.js";
import { until } from "../helpers/until.js";

type Attestor = Awaited<ReturnType<typeof startAttestor>>;
const STATUS = { pending: Status.Pending, accepted: Status.Accepted, rejected: Status.Rejected } as const;
/** The secp256k1 group order. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("automatic validator and verdict relay", () => {
  let chain: Chain;
  let attestor: Attestor;
  let validatorKey: Hex;
  let owner: PrivateKeyAccount, alice: PrivateKeyAccount, human1: PrivateKeyAccount, human2: PrivateKeyAccount, stranger: PrivateKeyAccount;
  let autoDatanet: bigint, humanDatanet: bigint;
  let auth: Record<string, string>;

  const ledger = () => chain.deployment.contracts.ContributionLedger.address;
  const status = async (id: Hex) =>
    (await chain.publicClient.readContract({ address: ledger(), abi: contributionLedgerAbi, functionName: "getContribution", args: [id] }))
      .status;
  const contributeFiles = async (datanetId: bigint, files: { name: string; bytes: Uint8Array }[], as = alice, headers = auth) => {
    const answer = await upload(attestor.url, datanetId, files, headers);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await chain.wait(
      await chain.wallet(as).writeContract({
        address: ledger(),
        abi: contributionLedgerAbi,
        functionName: "contribute",
        args: [datanetId, answer.body.contribute as never],
      }),
    );
    return answer.body.files.map((f) => f.contributionId);
  };
  const deadline = async (seconds = 3_600) => BigInt((await chain.publicClient.getBlock()).timestamp) + BigInt(seconds);
  const sign = async (who: PrivateKeyAccount, verdict: Verdict, chainId = chain.deployment.chainId) => {
    const signed = await signedVerdict(who, chainId, ledger(), verdict);
    return { ...signed, verdict: { ...signed.verdict, deadline: signed.verdict.deadline.toString() } };
  };
  const votes = async (id: Hex) =>
    (
      await chain.publicClient.getContractEvents({
        address: ledger(),
        abi: contributionLedgerAbi,
        eventName: "VoteCast",
        args: { id },
        fromBlock: 0n,
      })
    ).map((e) => e.args.validator!.toLowerCase());

  before(async () => {
    chain = await startChain();
    validatorKey = generatePrivateKey();
    const validator = privateKeyToAccount(validatorKey);
    await chain.testClient.setBalance({ address: validator.address, value: parseEther("100") });
    [owner, alice, human1, human2, stranger] = await Promise.all([
      chain.account(),
      chain.account(),
      chain.account(),
      chain.account(),
      chain.account(),
    ]);
    autoDatanet = await chain.createDatanet(owner, [validator], 1, 0);
    humanDatanet = await chain.createDatanet(owner, [human1, human2], 2, 0);
    attestor = await startAttestor(chain, { validatorKey, relayerKey: validatorKey });
    auth = await signIn(attestor.url, alice, chain.deployment.chainId);
  });
  after(async () => {
    await attestor?.close();
    await chain?.close();
  });

  test("good text is accepted on chain by the automatic validator at quorum 1; its assessment explains the score", async () => {
    const [id] = await contributeFiles(autoDatanet, [{ name: "notes.txt", bytes: prose(500) }]);
    await until("acceptance", async () => (await status(id!)) === STATUS.accepted);
    const answer = (await (await fetch(`${attestor.url}/assessments/${id}`)).json()) as {
      accept: boolean;
      score: number;
      reason: number;
      reasonText: string;
      explanation: string;
      checks: Record<string, unknown>;
    };
    assert.equal(answer.accept, true);
    assert.equal(answer.reason, 1);
    assert.ok(answer.score >= 50 && answer.score <= 100);
    assert.match(answer.explanation, /compression ratio/);
    assert.equal(typeof answer.checks.characters, "number");
  });

  test("low-quality text is rejected on chain with the reason and its explanation", async () => {
    const boilerplate = new TextEncoder().encode("Click here to subscribe to our newsletter.\n".repeat(200));
    const [id] = await contributeFiles(autoDatanet, [{ name: "spam.txt", bytes: boilerplate }]);
    await until("rejection", async () => (await status(id!)) === STATUS.rejected);
    const answer = (await (await fetch(`${attestor.url}/assessments/${id}`)).json()) as {
      accept: boolean;
      reason: number;
      explanation: string;
    };
    assert.equal(answer.accept, false);
    assert.equal(answer.reason, 6);
    assert.match(answer.explanation, /repet|boilerplate|duplicate/i);
  });

  test("human verdicts are checked, queued and submitted in one batch; quorum 2 finalises", async () => {
    const ids = await contributeFiles(humanDatanet, [
      { name: "a.txt", bytes: prose(510) },
      { name: "b.txt", bytes: prose(511) },
    ]);
    const when = await deadline();
    const batch = [];
    for (const id of ids)
      for (const who of [human1, human2])
        batch.push(await sign(who, { contribution: id, accept: true, score: 80, reason: Reason.Accepted, deadline: when }));
    const answer = await postJson<{ state: string }[]>(`${attestor.url}/verdicts`, batch);
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.deepEqual(
      answer.body.map((r) => r.state),
      ["queued", "queued", "queued", "queued"],
    );
    await until("both accepted", async () => (await Promise.all(ids.map(status))).every((s) => s === STATUS.accepted));
    const receipts = await Promise.all(ids.map(votes));
    assert.deepEqual(
      receipts.map((v) => v.length),
      [2, 2],
      "each vote counted once",
    );
    const relayed = (await (await fetch(`${attestor.url}/verdicts/${ids[0]}`)).json()) as { verdicts: { state: string; txHash: string }[] };
    assert.deepEqual(
      relayed.verdicts.map((v) => v.state),
      ["done", "done"],
    );
    assert.equal(relayed.verdicts[0]!.txHash, relayed.verdicts[1]!.txHash, "one transaction for the batch");
  });

  test("forged, replayed, expired, wrong-chain and non-validator verdicts are refused by name; nothing is queued", async () => {
    const [id] = await contributeFiles(humanDatanet, [{ name: "c.txt", bytes: prose(520) }]);
    const verdict = { contribution: id!, accept: true, score: 70, reason: Reason.Accepted, deadline: await deadline() };
    const genuine = await sign(human1, verdict);
    const cases: [string, number, unknown][] = [
      ["bad_signature", 401, { ...(await sign(stranger, verdict)), validator: human1.address }], // forged: someone else's signature
      ["bad_signature", 401, { ...genuine, verdict: { ...genuine.verdict, score: 100 } }], // tampered after signing
      ["bad_signature", 401, await sign(human1, verdict, 1)], // signed for another chain
      ["verdict_expired", 422, await sign(human1, { ...verdict, deadline: await deadline(-10) })],
      ["not_validator", 403, await sign(stranger, verdict)],
      ["invalid_score", 400, await sign(human1, { ...verdict, score: 101 })],
      ["unknown_contribution", 404, await sign(human1, { ...verdict, contribution: `0x${"ab".repeat(32)}` })],
      ["invalid_verdict", 400, { verdict: { contribution: id }, validator: human1.address, signature: "0x" }],
    ];
    for (const [code, httpStatus, body] of cases) {
      const answer = await postJson(`${attestor.url}/verdicts`, body);
      assert.equal(answer.status, httpStatus, `${code}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error, code, JSON.stringify(answer.body));
    }
    assert.deepEqual(((await (await fetch(`${attestor.url}/verdicts/${id}`)).json()) as { verdicts: unknown[] }).verdicts, []);

    // The high-s twin of the genuine signature recovers to the same key off chain, but the ledger refuses
    // it: refused up front, not queued to be dropped later (and to block the validator's good one).
    const r = genuine.signature.slice(0, 66);
    const s = BigInt(`0x${genuine.signature.slice(66, 130)}`);
    const v = Number.parseInt(genuine.signature.slice(130), 16);
    const highS = `${r}${(SECP256K1_N - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}`;
    const malleable = await postJson(`${attestor.url}/verdicts`, { ...genuine, signature: highS });
    assert.equal(malleable.status, 400, JSON.stringify(malleable.body));
    assert.equal(malleable.body.error, "malleable_signature");

    // The genuine verdict is queued once: the same bytes again are acknowledged, a different verdict refused.
    assert.equal((await postJson(`${attestor.url}/verdicts`, genuine)).body.state, "queued");
    const replay = await postJson<{ state: string; duplicate: boolean }>(`${attestor.url}/verdicts`, genuine);
    assert.equal(replay.status, 202);
    assert.equal(replay.body.duplicate, true);
    const changed = await postJson(
      `${attestor.url}/verdicts`,
      await sign(human1, { ...verdict, accept: false, reason: Reason.LowQuality }),
    );
    assert.equal(changed.status, 409);
    assert.equal(changed.body.error, "already_queued");
    await until("the vote", async () => (await votes(id!)).length === 1);
    // After it is on chain, the chain itself refuses a second vote, and so does the relay.
    const again = await postJson(`${attestor.url}/verdicts`, await sign(human1, { ...verdict, score: 71 }));
    assert.equal(again.status, 409);
  });

  test("a verdict the chain refused (dropped as failed) does not block the validator's next one", async () => {
    // A relay that waits 3 s before sending, so that the validator can be removed meanwhile.
    const slow = await startAttestor(chain, {
      relayerKey: generatePrivateKey(),
      relay: { maxBatch: 50, maxWaitMs: 3_000, retryMs: 200, verdictTtlSeconds: 86_400 },
    });
    await chain.wait(await chain.wallet(owner).sendTransaction({ to: slow.relay!.address, value: parseEther("1") }));
    const registry = chain.deployment.contracts.DatanetRegistry.address;
    // Quorum 1 of two, so that one of them can leave.
    const datanet = await chain.createDatanet(owner, [human1, human2], 1, 0);
    const setValidator = async (functionName: "removeValidators" | "addValidators") =>
      chain.wait(
        await chain
          .wallet(owner)
          .writeContract({ address: registry, abi: datanetRegistryAbi, functionName, args: [datanet, [human1.address]] }),
      );
    try {
      const [id] = await contributeFiles(datanet, [{ name: "d.txt", bytes: prose(540) }]);
      const verdict = { contribution: id!, accept: true, score: 60, reason: Reason.Accepted, deadline: await deadline() };
      assert.equal((await postJson(`${slow.url}/verdicts`, await sign(human1, verdict))).status, 202);
      await setValidator("removeValidators");
      const stateOf = async () =>
        ((await (await fetch(`${slow.url}/verdicts/${id}`)).json()) as { verdicts: { state: string }[] }).verdicts[0]?.state;
      await until("the verdict dropped", async () => (await stateOf()) === "failed");
      await setValidator("addValidators");
      const again = await postJson<{ state: string }>(`${slow.url}/verdicts`, await sign(human1, { ...verdict, score: 61 }));
      assert.equal(again.status, 202, JSON.stringify(again.body));
      assert.equal(again.body.state, "queued");
      await until("the new vote on chain", async () => (await votes(id!)).length === 1);
    } finally {
      await slow.close();
    }
  });

  test("a signature with v = 0 or 1, as some hardware wallets give it, is rewritten to 27 or 28 and lands", async () => {
    const [id] = await contributeFiles(humanDatanet, [{ name: "v.txt", bytes: prose(530) }]);
    const verdict = { contribution: id!, accept: true, score: 75, reason: Reason.Accepted, deadline: await deadline() };
    const signed = await sign(human1, verdict);
    const v = Number.parseInt(signed.signature.slice(130), 16);
    const hardware = { ...signed, signature: `${signed.signature.slice(0, 130)}0${v - 27}` };
    const queued = await postJson<{ state: string }>(`${attestor.url}/verdicts`, hardware);
    assert.equal(queued.status, 202, JSON.stringify(queued.body));
    // The same signature in the 27/28 form is the same verdict, not a different one.
    assert.equal((await postJson<{ duplicate: boolean }>(`${attestor.url}/verdicts`, signed)).body.duplicate, true);
    assert.equal((await postJson(`${attestor.url}/verdicts`, await sign(human2, verdict))).status, 202);
    await until("acceptance", async () => (await status(id!)) === STATUS.accepted);
  });
});

describe("verdict relay across crashes and node restarts", () => {
  let chain: Chain;
  let owner: PrivateKeyAccount, alice: PrivateKeyAccount, humans: PrivateKeyAccount[];
  let datanetId: bigint;
  let stateDir: string;
  let relayerKey: Hex;
  before(async () => {
    chain = await startChain();
    [owner, alice] = await Promise.all([chain.account(), chain.account()]);
    humans = await Promise.all([chain.account(), chain.account(), chain.account()]);
    datanetId = await chain.createDatanet(owner, humans, 3, 0);
    relayerKey = generatePrivateKey();
    await chain.testClient.setBalance({ address: privateKeyToAccount(relayerKey).address, value: parseEther("100") });
    stateDir = mkdtempSync(join(tmpdir(), "provena-relay-"));
  });
  after(async () => {
    await chain?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const env = (rpcUrl: string, extra: Record<string, string> = {}) => ({
    PROVENA_DEPLOYMENT: chain.deploymentFile,
    PROVENA_RPC_URL: rpcUrl,
    ATTESTOR_STATE_DIR: stateDir,
    ATTESTOR_PORT: "0",
    ATTESTOR_RELAYER_KEY: relayerKey,
    RELAY_RETRY_MS: "100",
    ...extra,
  });
  const ledger = () => chain.deployment.contracts.ContributionLedger.address;
  const votesFor = async (ids: Hex[]) => {
    const events = await chain.publicClient.getContractEvents({
      address: ledger(),
      abi: contributionLedgerAbi,
      eventName: "VoteCast",
      fromBlock: 0n,
    });
    return events.filter((e) => ids.includes(e.args.id!)).map((e) => `${e.args.id}:${e.args.validator}`);
  };
  const contributions = async (count: number) => {
    const ids = await chain.contribute(alice, datanetId, count);
    const when = BigInt((await chain.publicClient.getBlock()).timestamp) + 3_600n;
    const verdicts = [];
    for (const id of ids) {
      for (const who of humans) {
        const signed = await signedVerdict(who, chain.deployment.chainId, ledger(), {
          contribution: id,
          accept: true,
          score: 90,
          reason: Reason.Accepted,
          deadline: when,
        });
        verdicts.push({ ...signed, verdict: { ...signed.verdict, deadline: when.toString() } });
      }
    }
    return { ids, verdicts };
  };

  test("killed while sending a batch, restarted: every verdict is on chain exactly once", async () => {
    const { ids, verdicts } = await contributions(4);
    let sending!: () => void;
    const sent = new Promise<void>((resolve) => (sending = resolve));
    const first = await spawnAttestor(env(chain.rpcUrl, { RELAY_MAX_WAIT_MS: "300" }), (line) => {
      if (/relay: sending/.test(line)) sending();
    });
    const accepted = await postJson<unknown[]>(`${first.url}/verdicts`, verdicts);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    await sent;
    first.child.kill("SIGKILL");
    await first.exited;

    const second = await spawnAttestor(env(chain.rpcUrl, { RELAY_MAX_WAIT_MS: "300" }));
    try {
      await until("all twelve votes", async () => (await votesFor(ids)).length >= verdicts.length);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // time for a duplicate to show, if there were one
      const cast = await votesFor(ids);
      assert.equal(cast.length, verdicts.length);
      assert.equal(new Set(cast).size, cast.length, "no vote twice");
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });

  test("killed after queueing, before any batch: the queue survives the restart", async () => {
    const { ids, verdicts } = await contributions(2);
    const first = await spawnAttestor(env(chain.rpcUrl, { RELAY_MAX_WAIT_MS: "600000", RELAY_MAX_BATCH: "100" }));
    assert.equal((await postJson(`${first.url}/verdicts`, verdicts)).status, 202);
    first.child.kill("SIGKILL");
    await first.exited;
    assert.equal((await votesFor(ids)).length, 0);
    const second = await spawnAttestor(env(chain.rpcUrl, { RELAY_MAX_WAIT_MS: "200" }));
    try {
      await until("the queued votes", async () => (await votesFor(ids)).length === verdicts.length);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });

  test("the chain node goes away and comes back: the relay waits, then resumes", async () => {
    const url = new URL(chain.rpcUrl);
    const proxy = await startProxy({ host: url.hostname, port: Number(url.port) });
    const { ids, verdicts } = await contributions(2);
    const attestor = await spawnAttestor(env(proxy.url(), { RELAY_MAX_WAIT_MS: "1500" }));
    try {
      assert.equal((await postJson(`${attestor.url}/verdicts`, verdicts)).status, 202);
      await proxy.down();
      const down = await postJson(`${attestor.url}/verdicts`, verdicts[0]);
      assert.ok([202, 503].includes(down.status), JSON.stringify(down.body)); // a duplicate is answered from the queue
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // the batch falls due while the node is down
      assert.equal((await votesFor(ids)).length, 0);
      await proxy.up();
      await until("the votes after the restart", async () => (await votesFor(ids)).length === verdicts.length);
      const cast = await votesFor(ids);
      assert.equal(new Set(cast).size, cast.length);
    } finally {
      attestor.child.kill("SIGTERM");
      await attestor.exited;
      await proxy.down();
    }
  });
});
