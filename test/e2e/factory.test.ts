/**
 * ModelFactory end to end on a real Hardhat node, the attestor's embedded IPFS node and the real Python
 * worker with a tiny GPT-2: contributions → verdicts → job (progress as server-sent events) → adapter →
 * publish → the auditor's verifier passes. Bad job requests (issue 13's oversized hyperparameters and guard
 * included) are refused by name; a wallet's quota of live jobs and the queue's turns across wallets; cancel;
 * restart mid-job.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contributionLedgerAbi, modelRegistryAbi, signedVerdict, Reason } from "@provena/common";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { parseEther, type PrivateKeyAccount } from "viem";
import { createVerifier, verifyModel } from "@provena/verify";
import { prose } from "../fixtures/prose.js";
import { type AttestorOverrides, postJson, signIn, startAttestor, upload } from "../helpers/attestor.js";
import { DEFAULT_FACTORY_LIMITS } from "../../attestor/factory/src/config.js";
import { SPEC_CHECKS } from "../../attestor/factory/src/jobs.js";
import { admin, startChain, type Chain } from "../helpers/stack.js";

const root = new URL("../..", import.meta.url).pathname;
type Attestor = Awaited<ReturnType<typeof startAttestor>>;
type Event = { id: number; event: string; data: Record<string, unknown> };

/** Reads a server-sent event stream to its end (or until `stop` says so). */
async function events(url: string, stop: (event: Event) => boolean = () => false): Promise<Event[]> {
  const response = await fetch(url);
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const decoder = new TextDecoder();
  const seen: Event[] = [];
  let buffer = "";
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, "m").exec(block)?.[1] ?? "";
      const event = { id: Number(field("id")), event: field("event"), data: JSON.parse(field("data")) as Record<string, unknown> };
      seen.push(event);
      if (stop(event)) return seen; // leaving the loop cancels the stream
    }
  }
  return seen;
}

describe("ModelFactory", () => {
  let chain: Chain;
  let attestor: Attestor;
  let owner: PrivateKeyAccount, alice: PrivateKeyAccount, validator: PrivateKeyAccount;
  let textDatanet: bigint, imageDatanet: bigint;
  let auth: Record<string, string>;
  let modelsDir: string, stateDir: string;
  const attestorKey = generatePrivateKey();

  const ledger = () => chain.deployment.contracts.ContributionLedger.address;
  const start = (limits?: AttestorOverrides["factoryLimits"]) =>
    startAttestor(chain, { modelsDir, stateDir, attestorKey, relayerKey: attestorKey, ...(limits ? { factoryLimits: limits } : {}) });
  const job = (body: unknown, headers = auth) => postJson<Record<string, unknown>>(`${attestor.url}/jobs`, body, headers);
  const small = {
    training: { max_steps: 6, batch_size: 2, learning_rate: 0.01, save_steps: 5, logging_steps: 1 },
    data: { cutoff_len: 64 },
  };

  before(async () => {
    const tiny = execFileSync("bash", [join(root, "scripts/tiny-models.sh")], { encoding: "utf8" }).trim();
    modelsDir = mkdtempSync(join(tmpdir(), "provena-models-"));
    symlinkSync(join(tiny, "gpt2"), join(modelsDir, "tiny-gpt2"));
    stateDir = mkdtempSync(join(tmpdir(), "provena-factory-"));
    chain = await startChain();
    [owner, alice, validator] = await Promise.all([chain.account(), chain.account(), chain.account()]);
    const signer = privateKeyToAccount(attestorKey);
    await chain.testClient.setBalance({ address: signer.address, value: parseEther("10") });
    const models = chain.deployment.contracts.ModelRegistry.address;
    const role = await chain.publicClient.readContract({ address: models, abi: modelRegistryAbi, functionName: "ATTESTOR_ROLE" });
    await chain.wait(
      await chain
        .wallet(admin)
        .writeContract({ address: models, abi: modelRegistryAbi, functionName: "grantRole", args: [role, signer.address] }),
    );
    textDatanet = await chain.createDatanet(owner, [validator], 1, 0);
    imageDatanet = await chain.createDatanet(owner, [validator], 1, 1);
    attestor = await start();
    auth = await signIn(attestor.url, alice, chain.deployment.chainId);
    const answer = await upload(
      attestor.url,
      textDatanet,
      [0, 1, 2, 3].map((i) => ({ name: `${i}.txt`, bytes: prose(950 + i, 12) })),
      auth,
    );
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await chain.wait(
      await chain.wallet(alice).writeContract({
        address: ledger(),
        abi: contributionLedgerAbi,
        functionName: "contribute",
        args: [textDatanet, answer.body.contribute as never],
      }),
    );
    const deadline = BigInt((await chain.publicClient.getBlock()).timestamp) + 3_600n;
    const verdicts = await Promise.all(
      answer.body.files.map((f) =>
        signedVerdict(validator, chain.deployment.chainId, ledger(), {
          contribution: f.contributionId,
          accept: true,
          score: 90,
          reason: Reason.Accepted,
          deadline,
        }),
      ),
    );
    await chain.wait(
      await chain
        .wallet(owner)
        .writeContract({ address: ledger(), abi: contributionLedgerAbi, functionName: "submitVerdicts", args: [verdicts] }),
    );
  });
  after(async () => {
    await attestor?.close();
    await chain?.close();
    rmSync(modelsDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  test("job requests that each start a spec check are bounded: one at a time per wallet (429), a line beyond which 503", async () => {
    // Invalid settings: each request runs the worker's check (a Python process) and is refused, so nothing is queued.
    const invalid = { baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], settings: { training: { learning_rate: 5 } } };
    const twice = await Promise.all([job(invalid), job(invalid)]);
    assert.deepEqual(twice.map((answer) => answer.body.error).sort(), ["invalid_hyperparameter", "spec_check_in_progress"]);
    const busy = twice.find((answer) => answer.body.error === "spec_check_in_progress")!;
    assert.equal(busy.status, 429);
    // More wallets at once than run plus wait (2 + 16): the rest are told to come back, none is lost silently.
    const wallets = await Promise.all(
      Array.from({ length: SPEC_CHECKS.maxActive + SPEC_CHECKS.maxWaiting + 4 }, async () =>
        signIn(attestor.url, await chain.account(), chain.deployment.chainId),
      ),
    );
    const answers = await Promise.all(wallets.map((headers) => job(invalid, headers)));
    const codes = answers.map((answer) => `${answer.status} ${answer.body.error}`);
    const checked = codes.filter((code) => code === "400 invalid_hyperparameter").length;
    const refused = codes.filter((code) => code === "503 spec_checks_busy").length;
    assert.equal(checked + refused, wallets.length, codes.join(", "));
    // All arrive within the first checks' time (a Python start each): at least those past the line are refused.
    assert.ok(refused >= 1 && checked >= SPEC_CHECKS.maxActive, codes.join(", "));
    // Once the line has drained, a request is checked again.
    assert.equal((await job(invalid)).body.error, "invalid_hyperparameter");
  });

  test("the catalog lists the local models with family, parameters, license and no paths", async () => {
    const { models } = (await (await fetch(`${attestor.url}/models`)).json()) as { models: Record<string, unknown>[] };
    assert.equal(models.length, 1);
    assert.equal(models[0]!.id, "tiny-gpt2");
    assert.equal(models[0]!.family, "GPT-2");
    assert.ok(typeof models[0]!.parameters === "number" && (models[0]!.parameters as number) > 0);
    assert.equal(models[0]!.path, undefined, "the server's folders are not shown");
  });

  test("bad job requests are refused by name, before anything is queued", async () => {
    const cases: [unknown, Record<string, string>, number, string, RegExp][] = [
      [{ baseModel: "tiny-gpt2", datanets: [textDatanet.toString()] }, {}, 401, "unauthenticated", /sign in/i],
      [{ baseModel: "nope", datanets: [textDatanet.toString()] }, auth, 404, "unknown_model", /no base model "nope"/],
      [
        { baseModel: "tiny-gpt2", datanets: [imageDatanet.toString()] },
        auth,
        422,
        "not_text_datanet",
        /holds image files: a language model is fine-tuned on text/,
      ],
      [{ baseModel: "tiny-gpt2", datanets: ["999"] }, auth, 404, "unknown_datanet", /Datanet 999 does not exist/],
      [
        { baseModel: "tiny-gpt2", datanets: Array.from({ length: 10_000 }, (_, i) => String(i + 1)) },
        auth,
        400,
        "too_many_datanets",
        /at most 16 Datanets, not 10000/,
      ],
      [
        { baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], settings: { training: { learning_rate: 5 } } },
        auth,
        400,
        "invalid_hyperparameter",
        /training\.learning_rate must be in \(0, 1\)/,
      ],
      // Issue 13: every hyperparameter has an upper bound, and the worker's guards are not a job's to set.
      ...(
        [
          [{ training: { epochs: 1e12 } }, /training\.epochs must be in \[0, 100\], got 1000000000000/],
          [{ training: { batch_size: 1e6 } }, /training\.batch_size must be in \[1, 256\], got 1000000/],
          [{ training: { save_steps: 1 } }, /training\.save_steps must be 0 \(off\) or >= 5, got 1/],
          [{ finetuning: { lora_rank: 100_000 } }, /finetuning\.lora_rank must be in \[1, 256\]/],
        ] as const
      ).map(
        ([settings, message]) =>
          [{ baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], settings }, auth, 400, "invalid_hyperparameter", message] as [
            unknown,
            Record<string, string>,
            number,
            string,
            RegExp,
          ],
      ),
      [
        { baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], settings: { finetuning: { method: "full", full_max_params: 1e15 } } },
        auth,
        400,
        "invalid_settings",
        /settings\.finetuning\.full_max_params cannot be set: only method, lora_rank/,
      ],
      [
        { baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], settings: { finetuning: { method: "dora" } } },
        auth,
        400,
        "invalid_hyperparameter",
        /finetuning\.method/,
      ],
      [
        { baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], settings: { output_dir: "/etc" } },
        auth,
        400,
        "invalid_settings",
        /settings\.output_dir cannot be set/,
      ],
      [{ baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], parentJob: 999 }, auth, 404, "unknown_job", /no training job 999/],
    ];
    for (const [body, headers, status, code, message] of cases) {
      const answer = await job(body, headers);
      assert.equal(answer.status, status, `${code}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error, code);
      assert.match(String(answer.body.message), message);
    }
    const { jobs } = (await (await fetch(`${attestor.url}/jobs`)).json()) as { jobs: unknown[] };
    assert.equal(jobs.length, 0);
  });

  test("a job trains on the Accepted contributions, streams its progress, and publishes provenance that the verifier accepts", {
    timeout: 300_000,
  }, async () => {
    const created = await job({ baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], settings: small });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as number;
    const stream = await events(`${attestor.url}/jobs/${id}/events`);
    const steps = stream.filter((e) => e.event === "step").map((e) => e.data);
    assert.deepEqual(
      steps.map((s) => s.step),
      [1, 2, 3, 4, 5, 6],
    );
    assert.ok(steps.every((s) => typeof s.loss === "number" && typeof s.tokens_per_s === "number" && typeof s.eta_s === "number"));
    const dataset = stream.find((e) => e.event === "status" && e.data.dataset)?.data.dataset as { contributions: number };
    assert.equal(dataset.contributions, 4);
    assert.ok(stream.some((e) => e.event === "artifact"));
    assert.ok(
      stream.some((e) => e.event === "log" && /training .* on cpu/.test(String(e.data.line))),
      "the worker's log lines are in the stream",
    );
    assert.deepEqual(stream.at(-1)?.data, { type: "status", state: "done" });
    // A late subscriber gets the same history, from where it says it is.
    const replay = await events(`${attestor.url}/jobs/${id}/events?after=${stream[2]!.id}`);
    assert.deepEqual(
      replay.map((e) => e.id),
      stream.slice(3).map((e) => e.id),
    );

    const stranger = await signIn(attestor.url, owner, chain.deployment.chainId);
    assert.equal((await postJson(`${attestor.url}/jobs/${id}/publish`, {}, stranger)).status, 403);
    const published = await postJson<{ modelId: string; cids: Record<string, string> }>(`${attestor.url}/jobs/${id}/publish`, {}, auth);
    assert.equal(published.status, 201, JSON.stringify(published.body));
    const report = await verifyModel(
      await createVerifier({ deployment: chain.deployment, rpcUrl: chain.rpcUrl, gateway: attestor.url }),
      BigInt(published.body.modelId),
    );
    assert.ok(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok)));
    assert.equal((await postJson(`${attestor.url}/jobs/${id}/publish`, {}, auth)).body.error, "already_published");
    // The published record names no path of this machine: the adapter loads anywhere the base model does.
    const record = await (await fetch(`${attestor.url}/ipfs/${published.body.cids.training}`)).text();
    for (const local of [modelsDir, stateDir]) assert.ok(!record.includes(local), `the training record names ${local}`);
    const training = JSON.parse(record) as { adapterConfig: { base_model_name_or_path: string } };
    assert.match(training.adapterConfig.base_model_name_or_path, /^[^/]/);

    // Evaluate: the adapter has learned its data, so its loss is below the base model's.
    const evaluation = await postJson<{
      heldOut: boolean;
      records: number;
      adapter: { loss: number; perplexity: number };
      base: { loss: number };
    }>(`${attestor.url}/jobs/${id}/evaluate`, {}, auth);
    assert.equal(evaluation.status, 200, JSON.stringify(evaluation.body));
    assert.equal(evaluation.body.heldOut, false);
    assert.equal(evaluation.body.records, 4);
    assert.ok(evaluation.body.adapter.loss < evaluation.body.base.loss, JSON.stringify(evaluation.body));
    assert.ok(
      Math.abs(evaluation.body.adapter.perplexity - Math.exp(evaluation.body.adapter.loss)) < 1e-3 * evaluation.body.adapter.perplexity,
    );

    // Chat: streamed tokens from the fine-tune, then the base model side by side; one loaded worker.
    const conversation = await fetch(`${attestor.url}/chat`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ job: id, compare: true, messages: [{ role: "user", content: "Notes" }], max_new_tokens: 8, temperature: 0 }),
    });
    assert.equal(conversation.headers.get("content-type"), "text/event-stream");
    const text = await conversation.text();
    const sse = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
      event: m[1],
      data: JSON.parse(m[2]!) as Record<string, unknown>,
    }));
    const replies = sse.filter((e) => e.event === "reply").map((e) => e.data);
    assert.deepEqual(
      replies.map((r) => r.adapter),
      [`job-${id}`, null],
      text.slice(0, 500),
    );
    for (const reply of replies) {
      const tokens = sse
        .filter((e) => e.event === "token" && e.data.adapter === reply.adapter)
        .map((e) => e.data.text)
        .join("");
      assert.equal(tokens, reply.text, "the streamed tokens make up the reply");
      assert.ok((reply.completion_tokens as number) <= 8);
    }
    const badChat = await postJson(`${attestor.url}/chat`, { job: id, messages: [{ role: "robot", content: "x" }] }, auth);
    assert.deepEqual([badChat.status, badChat.body.error], [400, "invalid_messages"]);
    const badSampling = await postJson(
      `${attestor.url}/chat`,
      { baseModel: "tiny-gpt2", messages: [{ role: "user", content: "x" }], top_p: 7 },
      auth,
    );
    assert.deepEqual([badSampling.status, badSampling.body.error], [400, "bad_request"], JSON.stringify(badSampling.body));
    // Issue 13: a reply's length is capped, and so is the prompt's.
    const greedy = await postJson(
      `${attestor.url}/chat`,
      { baseModel: "tiny-gpt2", messages: [{ role: "user", content: "x" }], max_new_tokens: 1_000_000 },
      auth,
    );
    assert.deepEqual([greedy.status, greedy.body.error], [400, "max_new_tokens_too_large"], JSON.stringify(greedy.body));
    assert.match(String(greedy.body.message), /max_new_tokens must be at most 512 here, not 1000000/);
    const essay = await postJson(`${attestor.url}/chat`, { job: id, messages: [{ role: "user", content: "x".repeat(40_000) }] }, auth);
    assert.deepEqual([essay.status, essay.body.error], [413, "prompt_too_long"], JSON.stringify(essay.body));
    // A client that hangs up mid-reply (its reply is cancelled in the worker: chat-limits.test.ts): the next is served whole.
    const hangUp = new AbortController();
    const partial = await fetch(`${attestor.url}/chat`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ baseModel: "tiny-gpt2", messages: [{ role: "user", content: "Notes" }], max_new_tokens: 512, temperature: 0 }),
      signal: hangUp.signal,
    });
    await partial.body!.getReader().read();
    hangUp.abort();
    const next = await fetch(`${attestor.url}/chat`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ baseModel: "tiny-gpt2", messages: [{ role: "user", content: "Notes" }], max_new_tokens: 2, temperature: 0 }),
    });
    assert.match(await next.text(), /event: reply\ndata: .*"completion_tokens":2/);

    // Refine: a new job from this one's adapter, lineage kept, published with its parent.
    const refined = await job({ baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], settings: small, parentJob: id });
    assert.equal(refined.status, 201, JSON.stringify(refined.body));
    await events(`${attestor.url}/jobs/${refined.body.id}/events`);
    const child = await postJson<{ modelId: string; record: { parentId: string } }>(
      `${attestor.url}/jobs/${refined.body.id}/publish`,
      {},
      auth,
    );
    assert.equal(child.status, 201, JSON.stringify(child.body));
    assert.equal(child.body.record.parentId, published.body.modelId);
  });

  test("a wallet may have only so many jobs queued or running (429); the queue takes wallets in turn", { timeout: 300_000 }, async () => {
    const body = {
      baseModel: "tiny-gpt2",
      datanets: [textDatanet.toString()],
      settings: { ...small, training: { ...small.training, max_steps: 400, save_steps: 0 } },
    };
    const first = await job(body); // runs
    const second = await job(body); // waits
    assert.deepEqual([first.status, second.status], [201, 201], JSON.stringify([first.body, second.body]));
    const third = await job(body);
    assert.equal(third.status, 429, JSON.stringify(third.body));
    assert.equal(third.body.error, "job_quota");
    assert.match(String(third.body.message), /already has 2 job\(s\) queued or running, the most one wallet may have/);
    // Another wallet is not held back by alice's quota, nor by her older queued job.
    const bob = await signIn(attestor.url, owner, chain.deployment.chainId);
    const bobs = await job(body, bob);
    assert.equal(bobs.status, 201, JSON.stringify(bobs.body));
    await events(`${attestor.url}/jobs/${first.body.id}/events`, (e) => e.event === "step");
    await postJson(`${attestor.url}/jobs/${first.body.id}/cancel`, {}, auth);
    await events(`${attestor.url}/jobs/${bobs.body.id}/events`, (e) => e.event === "status" && e.data.state === "running");
    const waiting = (await (await fetch(`${attestor.url}/jobs/${second.body.id}`)).json()) as { state: string };
    assert.equal(waiting.state, "queued", "alice ran last: bob's job goes before her older one");
    // Honest work goes on: a finished (here cancelled) job frees its place in the quota.
    assert.equal((await postJson(`${attestor.url}/jobs/${second.body.id}/cancel`, {}, auth)).status, 200);
    assert.equal((await postJson(`${attestor.url}/jobs/${bobs.body.id}/cancel`, {}, bob)).status, 200);
    await events(`${attestor.url}/jobs/${bobs.body.id}/events`);
    const again = await job({ ...body, settings: small });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.deepEqual((await events(`${attestor.url}/jobs/${again.body.id}/events`)).at(-1)?.data, { type: "status", state: "done" });
  });

  test("cancel stops a running job after a final checkpoint; a restart mid-job resumes from the last checkpoint", {
    timeout: 300_000,
  }, async () => {
    const long = { ...small, training: { ...small.training, max_steps: 400, save_steps: 5 } };
    const first = await job({ baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], settings: long });
    await events(`${attestor.url}/jobs/${first.body.id}/events`, (e) => e.event === "step");
    const cancelled = await postJson(`${attestor.url}/jobs/${first.body.id}/cancel`, {}, auth);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    const rest = await events(`${attestor.url}/jobs/${first.body.id}/events`);
    assert.ok(
      rest.some((e) => e.event === "checkpoint" && e.data.final === true),
      "a final checkpoint",
    );
    assert.equal((rest.at(-1)!.data as { state: string }).state, "cancelled");

    const second = await job({
      baseModel: "tiny-gpt2",
      datanets: [textDatanet.toString()],
      settings: { ...small, training: { ...small.training, max_steps: 40, save_steps: 5 } },
    });
    const id = second.body.id as number;
    const before = await events(`${attestor.url}/jobs/${id}/events`, (e) => e.event === "checkpoint");
    const checkpointStep = before.at(-1)!.data.step as number;
    await attestor.close(); // stops the worker, which checkpoints; the job stays running
    attestor = await start();
    const after = await events(`${attestor.url}/jobs/${id}/events`);
    const resumedSteps = after.filter((e) => e.event === "step" && e.id > before.at(-1)!.id).map((e) => e.data.step as number);
    assert.ok(
      resumedSteps.length > 0 && resumedSteps[0]! > checkpointStep,
      `resumed after step ${checkpointStep}: ${resumedSteps.slice(0, 3)}`,
    );
    assert.equal(resumedSteps.at(-1), 40);
    assert.equal((after.at(-1)!.data as { state: string }).state, "done");
    auth = await signIn(attestor.url, alice, chain.deployment.chainId);
  });

  test("a job that runs past the attestor's time limit for one job is stopped and fails with job_timeout", {
    timeout: 300_000,
  }, async () => {
    await attestor.close();
    attestor = await start({ ...DEFAULT_FACTORY_LIMITS, jobTimeoutMs: 8_000 });
    auth = await signIn(attestor.url, alice, chain.deployment.chainId);
    const endless = { ...small, training: { ...small.training, max_steps: 100_000, save_steps: 0 } };
    const created = await job({ baseModel: "tiny-gpt2", datanets: [textDatanet.toString()], settings: endless });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const stream = await events(`${attestor.url}/jobs/${created.body.id}/events`);
    assert.deepEqual(stream.at(-1)?.data, {
      type: "status",
      state: "failed",
      code: "job_timeout",
      message: "the job ran longer than 8 s, this attestor's limit for one job: it was stopped",
    });
    assert.ok(!stream.some((e) => e.event === "step" && e.data.step === 100_000));
    await attestor.close();
    attestor = await start();
    auth = await signIn(attestor.url, alice, chain.deployment.chainId);
  });
});
