/**
 * Uploads cannot fill the disk for free (issue 13, item 7), against a real chain, attestor and Helia store:
 * uploads not yet contributed reserve their share of the daily allowance and count against per-address and
 * total disk quotas; the gateway works on a bounded number of uploads at once and answers the rest 429/503
 * with Retry-After before reading them; a stranger's uploads that never reach the chain keep nobody's files
 * out as near-duplicates; the sweeper collects garbage once per pass.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { cidOf, type ContributionItem } from "@provena/common";
import type { PrivateKeyAccount } from "viem";
import { sweepOnce } from "../../attestor/gateway/src/upload/sweep.js";
import { prose } from "../fixtures/prose.js";
import { type AttestorOverrides, signIn, startAttestor, upload } from "../helpers/attestor.js";
import { admin, startChain, type Chain } from "../helpers/stack.js";

const KB = 1_024;

/** Distinct ASCII prose of exactly `bytes` bytes (a seed per file, so no two are near-duplicates). */
const text = (seed: number, bytes: number) => {
  const long = prose(seed, Math.ceil(bytes / 40));
  assert.ok(long.length >= bytes);
  return long.slice(0, bytes);
};
const file = (seed: number, bytes: number) => ({ name: `f${seed}.txt`, bytes: text(seed, bytes) });

describe("upload quotas: reservations, disk caps, a bounded number at once, pending fingerprints", () => {
  let chain: Chain;
  let datanet: bigint;
  let seed = 0;
  const next = (bytes: number) => file(++seed, bytes);

  before(async () => {
    chain = await startChain();
    // Small protocol limits, so that the quotas are reached with small files: 64 KB a file, 160 KB and 6 files a day.
    await chain.registryAs(admin).write("setLimits", [{ maxFileBytes: 64 * KB, dailyBytes: BigInt(160 * KB), dailyFiles: 6 }]);
    datanet = await chain.createDatanet(await chain.account(), [await chain.account()], 1, 0);
  });
  after(() => chain?.close());

  const withAttestor = async (overrides: AttestorOverrides, work: (a: Awaited<ReturnType<typeof startAttestor>>) => Promise<void>) => {
    const attestor = await startAttestor(chain, overrides);
    try {
      await work(attestor);
    } finally {
      await attestor.close();
    }
  };
  const contribute = (who: PrivateKeyAccount, items: readonly ContributionItem[]) => chain.contributeItems(who, datanet, items);

  test("uploads not yet contributed reserve today's allowance; once on chain, the chain counts them instead", async () => {
    await withAttestor({}, async ({ url }) => {
      const alice = await chain.account();
      const auth = await signIn(url, alice, chain.deployment.chainId);
      const first = await upload(url, datanet, [next(50 * KB), next(50 * KB)], auth);
      assert.equal(first.status, 201);
      const allowance = async () =>
        (await (await fetch(`${url}/datanets/${datanet}/allowance?address=${alice.address}`)).json()) as {
          bytesLeft: number;
          reserved: { files: number; bytes: number };
          uploadable: { bytes: number; files: number };
        };
      const before = await allowance();
      assert.equal(before.bytesLeft, 160 * KB, "the chain has counted nothing yet");
      assert.deepEqual(before.reserved, { files: 2, bytes: 100 * KB });
      assert.equal(before.uploadable.bytes, 60 * KB);

      // Before the fix, the chain's allowance alone was checked: this upload was pinned too.
      const over = await upload(url, datanet, [next(62 * KB)], auth);
      assert.equal(over.status, 429);
      assert.equal(over.body.error, "daily_byte_limit");
      assert.match(over.body.message!, /reserved by uploads not yet contributed/);

      await contribute(alice, first.body.contribute);
      const after = await allowance();
      assert.equal(after.bytesLeft, 60 * KB);
      assert.deepEqual(after.reserved, { files: 0, bytes: 0 });
      assert.equal((await upload(url, datanet, [next(62 * KB)], auth)).status, 429, "now over on chain");
      assert.equal((await upload(url, datanet, [next(50 * KB)], auth)).status, 201);
    });
  });

  test("an address may hold so many files and bytes not yet contributed; past them 429 with Retry-After, nothing pinned", async () => {
    await withAttestor({ uploads: { maxPendingFilesPerAddress: 3, maxPendingBytesPerAddress: 120 * KB } }, async ({ url }) => {
      const bob = await chain.account();
      const auth = await signIn(url, bob, chain.deployment.chainId);
      assert.equal((await upload(url, datanet, [next(50 * KB), next(50 * KB)], auth)).status, 201);
      const tooManyBytes = next(30 * KB);
      const refused = await fetchUpload(url, datanet, [tooManyBytes], auth);
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error, "pending_uploads_limit");
      assert.match(String(refused.body.message), /over the 3 files or 122880 bytes an address may hold here: contribute them first/);
      assert.ok(Number(refused.retryAfter) > 0, `Retry-After: ${refused.retryAfter}`);
      assert.equal((await fetch(`${url}/ipfs/${(await cidOf(tooManyBytes.bytes)).toString()}`)).status, 404, "nothing of it pinned");
      assert.equal((await upload(url, datanet, [next(10 * KB)], auth)).status, 201);
      const fourth = await upload(url, datanet, [next(KB)], auth);
      assert.equal(fourth.status, 429, "a fourth file");
      // Another address is not held up.
      const carol = await signIn(url, await chain.account(), chain.deployment.chainId);
      assert.equal((await upload(url, datanet, [next(50 * KB)], carol)).status, 201);
    });
  });

  test("uploads not yet contributed may hold so many bytes in all; past that 503 storage_full with Retry-After", async () => {
    await withAttestor({ uploads: { maxPendingBytes: 100 * KB } }, async ({ url }) => {
      const carol = await signIn(url, await chain.account(), chain.deployment.chainId);
      const dave = await signIn(url, await chain.account(), chain.deployment.chainId);
      assert.equal((await upload(url, datanet, [next(60 * KB)], carol)).status, 201);
      const late = next(50 * KB);
      const full = await fetchUpload(url, datanet, [late], dave);
      assert.equal(full.status, 503);
      assert.equal(full.body.error, "storage_full");
      assert.equal(full.retryAfter, "600");
      assert.equal((await fetch(`${url}/ipfs/${(await cidOf(late.bytes)).toString()}`)).status, 404);
    });
  });

  test("a bounded number of uploads at once: the same address's second is 429, one past the line 503, both with Retry-After", async () => {
    await withAttestor({ uploads: { maxActive: 1, maxWaiting: 1, maxPerAddress: 1 } }, async ({ url }) => {
      const [alice, bob, carol] = await Promise.all(
        [1, 2, 3].map(async () => signIn(url, await chain.account(), chain.deployment.chainId)),
      );
      const uploads = () =>
        fetch(`${url}/health`).then(async (r) => ((await r.json()) as { uploads: { active: number; waiting: number } }).uploads);
      // Alice's upload holds the one turn, sending its body slowly.
      const slow = slowUpload(url, datanet, next(40 * KB), alice!);
      await until(async () => (await uploads()).active === 1);

      const again = await fetchUpload(url, datanet, [next(KB)], alice!);
      assert.equal(again.status, 429);
      assert.equal(again.body.error, "upload_in_progress");
      assert.equal(again.retryAfter, "5");

      const waiting = new AbortController();
      const bobs = fetchUpload(url, datanet, [next(KB)], bob!, waiting.signal).catch((error: Error) => error);
      await until(async () => (await uploads()).waiting === 1);
      const busy = await fetchUpload(url, datanet, [next(KB)], carol!);
      assert.equal(busy.status, 503);
      assert.equal(busy.body.error, "uploads_busy");
      assert.equal(busy.retryAfter, "5");

      // Bob gives up while waiting: his place in the line is given back.
      waiting.abort();
      assert.ok((await bobs) instanceof Error);
      await until(async () => (await uploads()).waiting === 0);
      const carols = fetchUpload(url, datanet, [next(KB)], carol!);
      await until(async () => (await uploads()).waiting === 1);

      slow.finish();
      assert.equal((await slow.answer).status, 201);
      assert.equal((await carols).status, 201, "the one waiting goes next");
      assert.deepEqual(await uploads(), { active: 0, activeBytes: 0, waiting: 0 });
    });
  });

  test("a stranger's upload not yet contributed keeps nobody's near copy out; the uploader's own, and content on chain, do", async () => {
    await withAttestor({}, async ({ url }) => {
      const [mallory, alice, bob] = await Promise.all([chain.account(), chain.account(), chain.account()]);
      const [asMallory, asAlice, asBob] = await Promise.all(
        [mallory, alice, bob].map((who) => signIn(url, who!, chain.deployment.chainId)),
      );
      if (!asMallory || !asAlice || !asBob) throw new Error("sign-in");
      const original = text(9_001, 20 * KB);
      const copy = (n: number) => ({
        name: `copy${n}.txt`,
        bytes: new Uint8Array([...original.slice(0, original.length - n), ...text(9_100 + n, n)]),
      });
      assert.equal((await upload(url, datanet, [{ name: "original.txt", bytes: original }], asMallory)).status, 201);
      // Before the fix, Mallory's upload, never contributed, refused this as a near-duplicate.
      const alices = await upload(url, datanet, [copy(40)], asAlice);
      assert.equal(alices.status, 201, JSON.stringify(alices.body));
      const own = await upload(url, datanet, [copy(80)], asMallory);
      assert.equal(own.body.error, "near_duplicate", "the uploader's own pending upload still counts for them");

      await contribute(alice, alices.body.contribute);
      const bobs = await upload(url, datanet, [copy(120)], asBob);
      assert.equal(bobs.body.error, "near_duplicate", "Alice's copy is on chain now");
    });
  });

  test("a sweep unpins every expired upload and collects garbage once", async () => {
    await withAttestor({}, async (attestor) => {
      const auth = await signIn(attestor.url, await chain.account(), chain.deployment.chainId);
      const files = [next(10 * KB), next(10 * KB), next(10 * KB)];
      for (const f of files) assert.equal((await upload(attestor.url, datanet, [f], auth)).status, 201);
      let collections = 0;
      const store = {
        ...attestor.store,
        collectGarbage: async () => {
          collections++;
          await attestor.store.collectGarbage();
        },
      };
      const swept = await sweepOnce({ db: attestor.db, store, chain: attestor.chain, graceSeconds: -1, intervalMs: 0 });
      assert.deepEqual(swept, { kept: 0, unpinned: 3 });
      assert.equal(collections, 1);
      for (const f of files) assert.equal((await fetch(`${attestor.url}/ipfs/${(await cidOf(f.bytes)).toString()}`)).status, 404);
    });
  });
});

const until = async (check: () => Promise<boolean>) => {
  const end = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** An upload answered with its status, JSON body and Retry-After header. */
async function fetchUpload(
  url: string,
  datanetId: bigint,
  files: { name: string; bytes: Uint8Array }[],
  headers: Record<string, string>,
  signal?: AbortSignal,
) {
  const form = new FormData();
  for (const f of files) form.append("file", new Blob([f.bytes]), f.name);
  const response = await fetch(`${url}/datanets/${datanetId}/uploads`, { method: "POST", body: form, headers, signal });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    retryAfter: response.headers.get("retry-after"),
  };
}

/** A one-file multipart upload whose body is sent in two halves: the second only on `finish()`. */
function slowUpload(url: string, datanetId: bigint, f: { name: string; bytes: Uint8Array }, headers: Record<string, string>) {
  const boundary = "provena-slow-upload";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const half = Math.floor(f.bytes.length / 2);
  const request = httpRequest(`${url}/datanets/${datanetId}/uploads`, {
    method: "POST",
    headers: {
      ...headers,
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "content-length": String(head.length + f.bytes.length + tail.length),
    },
  });
  const answer = new Promise<{ status: number }>((resolve, reject) => {
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode! }));
    });
    request.on("error", reject);
  });
  request.write(head);
  request.write(f.bytes.subarray(0, half));
  return { answer, finish: () => request.end(Buffer.concat([f.bytes.subarray(half), tail])) };
}
