/**
 * The attestor against a real Hardhat node, with its embedded IPFS node and database: Sign-In with
 * Ethereum (EOA and EIP-1271 wallet), uploads accepted and refused for every rule, the files' journey to
 * `contribute`, the gateway's ranges, and the sweeper's grace period.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { cidOf, cidToString, type ContributionItem, MB } from "@provena/common";
import { rawCidBytes, sha256 } from "@provena/common/node";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { create as createDigest } from "multiformats/hashes/digest";
import { identity } from "multiformats/hashes/identity";
import { getAddress, type Abi, type Hex, type PrivateKeyAccount } from "viem";
import { sweepOnce } from "../../attestor/gateway/src/upload/sweep.js";
import { docxFile, pdfFile } from "../fixtures/corpus.js";
import { prose } from "../fixtures/prose.js";
import { postJson, siweMessage, signIn, spawnAttestor, startAttestor, upload } from "../helpers/attestor.js";
import { startChain, type Chain } from "../helpers/stack.js";

type Attestor = Awaited<ReturnType<typeof startAttestor>>;

const noisePng = async (seed: number, side = 96) => {
  const pixels = new Uint8Array(side * side * 3);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    pixels[i] = state >>> 24;
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
      .png()
      .toBuffer(),
  );
};

describe("attestor", () => {
  let chain: Chain;
  let attestor: Attestor;
  let owner: PrivateKeyAccount, alice: PrivateKeyAccount, validator: PrivateKeyAccount;
  let textDatanet: bigint, imageDatanet: bigint;
  let auth: Record<string, string>;

  const contribute = (signer: PrivateKeyAccount, datanetId: bigint, items: ContributionItem[]) =>
    chain.contributeItems(signer, datanetId, items);
  const pinned = (cid: string) => attestor.store.isPinned(CID.parse(cid));

  before(async () => {
    chain = await startChain();
    [owner, alice, validator] = await Promise.all([chain.account(), chain.account(), chain.account()]);
    textDatanet = await chain.createDatanet(owner, [validator], 1, 0);
    imageDatanet = await chain.createDatanet(owner, [validator], 1, 1);
    attestor = await startAttestor(chain);
    auth = await signIn(attestor.url, alice, chain.deployment.chainId);
  });
  after(async () => {
    await attestor?.close();
    await chain?.close();
  });

  describe("Sign-In with Ethereum", () => {
    const verify = (body: unknown) => postJson(`${attestor.url}/auth/verify`, body);
    const chainId = () => chain.deployment.chainId;

    test("a signed message opens a session that authenticates uploads; logging out closes it", async () => {
      const headers = await signIn(attestor.url, alice, chainId());
      const allowed = await upload(attestor.url, textDatanet, [{ name: "a.txt", bytes: prose(1) }], headers);
      assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
      await postJson(`${attestor.url}/auth/logout`, {}, headers);
      const after = await upload(attestor.url, textDatanet, [{ name: "b.txt", bytes: prose(2) }], headers);
      assert.equal(after.status, 401);
      assert.equal(after.body.error, "unknown_session");
    });

    test("an upload without a session is refused and pins nothing", async () => {
      const bytes = prose(3);
      const answer = await upload(attestor.url, textDatanet, [{ name: "c.txt", bytes }], {});
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error, "unauthenticated");
      assert.equal(await pinned(cidToString(rawCidBytes(bytes))), false);
    });

    test("a nonce signs in once: the same message again is refused as replayed", async () => {
      const signed = await siweMessage(attestor.url, alice, chainId());
      assert.equal((await verify(signed)).status, 200);
      const again = await verify(signed);
      assert.equal(again.status, 401);
      assert.equal(again.body.error, "nonce_replayed");
    });

    test("an expired message, a wrong domain, a wrong chain, an unknown nonce and a forged signature are refused by name", async () => {
      const cases: [string, Promise<{ message: string; signature: Hex }>][] = [
        ["message_expired", siweMessage(attestor.url, alice, chainId(), { expirationTime: new Date(Date.now() - 1_000) })],
        ["wrong_domain", siweMessage(attestor.url, alice, chainId(), { domain: "evil.example" })],
        // The URI must be on the message's domain.
        ["wrong_uri", siweMessage(attestor.url, alice, chainId(), { uri: "https://evil.example/login" })],
        ["wrong_chain", siweMessage(attestor.url, alice, chainId(), { chainId: 1 })],
        ["unknown_nonce", siweMessage(attestor.url, alice, chainId(), { nonce: "abcdefgh12345678" })],
        // Signed by alice, claiming to be the validator.
        ["bad_signature", siweMessage(attestor.url, alice, chainId(), { address: validator.address })],
      ];
      for (const [code, signed] of cases) {
        const answer = await verify(await signed);
        assert.equal(answer.status, 401, code);
        assert.equal(answer.body.error, code, JSON.stringify(answer.body));
      }
      const garbage = await verify({ message: "hello", signature: "0x00" });
      assert.equal(garbage.status, 400);
      assert.equal(garbage.body.error, "malformed_message");
    });

    test("phishing: a message for another site, posted with that site's Host header, opens no session", async () => {
      // A phishing page has the victim sign "sign in to evil.example" with a nonce it fetched here, then
      // relays it claiming to be that host: the domains are configuration, never the request's Host.
      const signed = await siweMessage(attestor.url, alice, chainId(), { domain: "evil.example", uri: "https://evil.example/" });
      const body = JSON.stringify(signed);
      const answer = await new Promise<{ status: number; body: { error: string } }>((resolve, reject) => {
        const url = new URL(`${attestor.url}/auth/verify`);
        const request = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "POST",
            headers: { host: "evil.example", "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          },
          (response) => {
            let text = "";
            response.on("data", (chunk) => {
              text += chunk;
            });
            response.on("end", () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
          },
        );
        request.on("error", reject);
        request.end(body);
      });
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error, "wrong_domain");
    });

    test("with SIWE domains configured, only those sign in, over https; the loopback default no longer does", async () => {
      const domain = "provena.example";
      const configured = await startAttestor(chain, { siweDomains: [domain] });
      try {
        const verifyHere = (body: unknown) => postJson(`${configured.url}/auth/verify`, body);
        const local = await verifyHere(await siweMessage(configured.url, alice, chainId()));
        assert.equal(local.body.error, "wrong_domain", JSON.stringify(local.body));
        const plain = await verifyHere(await siweMessage(configured.url, alice, chainId(), { domain, uri: `http://${domain}/` }));
        assert.equal(plain.body.error, "wrong_uri", JSON.stringify(plain.body));
        const honest = await verifyHere(await siweMessage(configured.url, alice, chainId(), { domain, uri: `https://${domain}/app` }));
        assert.equal(honest.status, 200, JSON.stringify(honest.body));
      } finally {
        await configured.close();
      }
    });

    test("an EIP-1271 contract wallet signs in through its owner's signature", async () => {
      const artifact = JSON.parse(readFileSync("artifacts/contracts/test/ERC1271Wallet.sol/ERC1271Wallet.json", "utf8")) as {
        abi: Abi;
        bytecode: Hex;
      };
      const hash = await chain.wallet(alice).deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: [alice.address] });
      const wallet = getAddress((await chain.wait(hash)).contractAddress!);
      const signed = await siweMessage(attestor.url, alice, chainId(), { address: wallet });
      const answer = await verify(signed);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.address, wallet);
      const stranger = await siweMessage(attestor.url, validator, chainId(), { address: wallet });
      assert.equal((await verify(stranger)).body.error, "bad_signature");
    });
  });

  describe("uploads", () => {
    test("accepted files come back ready for contribute, are pinned, served, and followed on chain", async () => {
      const small = prose(10);
      const large = new Uint8Array(Buffer.concat(Array.from({ length: 10 }, (_, i) => prose(1_000 + i, 6_000))).subarray(0, 3 * MB)); // three 1 MiB chunks
      const answer = await upload(
        attestor.url,
        textDatanet,
        [
          { name: "small.txt", bytes: small },
          { name: "large.md", bytes: large },
        ],
        auth,
      );
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      const [first, second] = answer.body.files;
      assert.equal(first!.sha256, sha256(small));
      assert.equal(first!.cid, cidToString(rawCidBytes(small)), "a one-chunk file has the raw CID of its SHA-256");
      assert.equal(first!.type, "txt");
      assert.equal(second!.size, large.length);
      assert.notEqual(second!.cid, cidToString(rawCidBytes(large)), "a multi-chunk file's CID is its DAG's, not its SHA-256's");
      assert.ok(second!.cid.startsWith("bafybei"), second!.cid);
      for (const file of answer.body.files) assert.equal(await pinned(file.cid), true);

      const served = await fetch(`${attestor.url}/ipfs/${second!.cid}`);
      assert.equal(served.status, 200);
      assert.deepEqual(new Uint8Array(await served.arrayBuffer()), large);

      const status = async () =>
        ((await (await fetch(`${attestor.url}/uploads/${answer.body.upload}`)).json()) as { files: { status: string }[] }).files.map(
          (f) => f.status,
        );
      assert.deepEqual(await status(), ["not_contributed", "not_contributed"]);
      await contribute(alice, textDatanet, answer.body.contribute);
      assert.deepEqual(await status(), ["pending", "pending"]);

      const again = await upload(attestor.url, textDatanet, [{ name: "small again.txt", bytes: small }], auth);
      assert.equal(again.status, 422);
      assert.equal(again.body.error, "duplicate");
    });

    test("every refusal names the file and the rule, and pins nothing", async () => {
      const png = await noisePng(1);
      const cases: [string, { name: string; bytes: Uint8Array }[], number][] = [
        ["type_not_allowed", [{ name: "notes.txt", bytes: png }], 422],
        ["empty_file", [{ name: "empty.txt", bytes: new Uint8Array() }], 422],
        ["file_too_large", [{ name: "big.txt", bytes: new Uint8Array(5 * MB + 1).fill(0x61) }], 422],
        [
          "not_utf8",
          [{ name: "latin1.txt", bytes: Uint8Array.of(0x63, 0x61, 0x66, 0xe9, 0x20, 0x61, 0x75, 0x20, 0x6c, 0x61, 0x69, 0x74) }],
          422,
        ],
        [
          "duplicate_in_upload",
          [
            { name: "one.txt", bytes: prose(20) },
            { name: "two.txt", bytes: prose(20) },
          ],
          422,
        ],
        ["too_many_files", Array.from({ length: 21 }, (_, i) => ({ name: `f${i}.txt`, bytes: prose(100 + i, 30) })), 413],
      ];
      for (const [code, files, status] of cases) {
        const answer = await upload(attestor.url, textDatanet, files, auth);
        assert.equal(answer.status, status, `${code}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error, code === "duplicate_in_upload" ? "duplicate_in_upload" : code, JSON.stringify(answer.body));
        assert.ok(answer.body.message && answer.body.message.length > 10);
        for (const file of files) assert.equal(await pinned(cidToString(rawCidBytes(file.bytes))), false, `${code}: ${file.name} pinned`);
      }
      const health = await fetch(`${attestor.url}/health`);
      assert.equal(health.status, 200, "the server keeps serving");
    });

    test("a near-duplicate text or image is refused against the Datanet and the same upload", async () => {
      const original = prose(30);
      assert.equal((await upload(attestor.url, textDatanet, [{ name: "original.txt", bytes: original }], auth)).status, 201);
      const edited = new TextEncoder().encode(new TextDecoder().decode(original).replace("Notes 30.", "Notes, thirty."));
      const near = await upload(attestor.url, textDatanet, [{ name: "edited.txt", bytes: edited }], auth);
      assert.equal(near.status, 422);
      assert.equal(near.body.error, "near_duplicate");
      // The same words in a PDF or a DOCX are the same text.
      const sentences = new TextDecoder().decode(original).split(/(?<=\.)\s+/);
      for (const [name, bytes] of [
        ["copy.pdf", pdfFile(sentences)],
        ["copy.docx", docxFile(sentences)],
      ] as const) {
        const copy = await upload(attestor.url, textDatanet, [{ name, bytes }], auth);
        assert.equal(copy.body.error, "near_duplicate", `${name}: ${JSON.stringify(copy.body)}`);
      }

      const image = await noisePng(7, 128);
      const recoded = new Uint8Array(await sharp(image).jpeg({ quality: 90 }).toBuffer());
      const both = await upload(
        attestor.url,
        imageDatanet,
        [
          { name: "a.png", bytes: image },
          { name: "a.jpg", bytes: recoded },
        ],
        auth,
      );
      assert.equal(both.status, 422, JSON.stringify(both.body));
      assert.equal(both.body.error, "near_duplicate");
      const alone = await upload(attestor.url, imageDatanet, [{ name: "a.png", bytes: image }], auth);
      assert.equal(alone.status, 201, JSON.stringify(alone.body));
      const later = await upload(attestor.url, imageDatanet, [{ name: "a.jpg", bytes: recoded }], auth);
      assert.equal(later.body.error, "near_duplicate");
    });

    test("today's allowance is read from chain and enforced before anything is pinned", async () => {
      const bob = await chain.account();
      const headers = await signIn(attestor.url, bob, chain.deployment.chainId);
      const allowance = async () =>
        (await (await fetch(`${attestor.url}/datanets/${textDatanet}/allowance?address=${bob.address}`)).json()) as {
          bytesLeft: number;
          filesLeft: number;
        };
      const before = await allowance();
      assert.equal(before.filesLeft, 20);
      const files = Array.from({ length: 20 }, (_, i) => ({ name: `${i}.txt`, bytes: prose(200 + i, 60) }));
      const first = await upload(attestor.url, textDatanet, files, headers);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      await contribute(bob, textDatanet, first.body.contribute);
      assert.equal((await allowance()).filesLeft, 0);
      const bytes = prose(300);
      const over = await upload(attestor.url, textDatanet, [{ name: "one more.txt", bytes }], headers);
      assert.equal(over.status, 429);
      assert.equal(over.body.error, "daily_file_limit");
      assert.equal(await pinned(cidToString(rawCidBytes(bytes))), false);
    });

    test("an unknown Datanet and a malformed request are refused by name", async () => {
      const missing = await upload(attestor.url, 999n, [{ name: "x.txt", bytes: prose(40) }], auth);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error, "unknown_datanet");
      const notMultipart = await postJson(`${attestor.url}/datanets/${textDatanet}/uploads`, { file: "x" }, auth);
      assert.equal(notMultipart.status, 415);
      assert.equal(notMultipart.body.error, "not_multipart");
    });
  });

  describe("gateway", () => {
    let cid: string;
    let bytes: Uint8Array;
    before(async () => {
      bytes = prose(50, 5_000);
      const answer = await upload(attestor.url, textDatanet, [{ name: "range.txt", bytes }], auth);
      cid = answer.body.files[0]!.cid;
    });

    test("byte ranges: a span, an open end, a suffix, and an unsatisfiable start", async () => {
      const get = (range: string) => fetch(`${attestor.url}/ipfs/${cid}`, { headers: { range } });
      const span = await get("bytes=10-19");
      assert.equal(span.status, 206);
      assert.equal(span.headers.get("content-range"), `bytes 10-19/${bytes.length}`);
      assert.deepEqual(new Uint8Array(await span.arrayBuffer()), bytes.subarray(10, 20));
      const open = await get(`bytes=${bytes.length - 5}-`);
      assert.deepEqual(new Uint8Array(await open.arrayBuffer()), bytes.subarray(bytes.length - 5));
      const suffix = await get("bytes=-7");
      assert.deepEqual(new Uint8Array(await suffix.arrayBuffer()), bytes.subarray(bytes.length - 7));
      const beyond = await get(`bytes=${bytes.length}-`);
      assert.equal(beyond.status, 416);
      assert.equal(beyond.headers.get("content-range"), `bytes */${bytes.length}`);
    });

    test("HEAD, content type from the sniffed type, unknown and invalid CIDs", async () => {
      const head = await fetch(`${attestor.url}/ipfs/${cid}`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-length"), String(bytes.length));
      assert.equal(head.headers.get("content-type"), "text/plain");
      assert.equal(head.headers.get("x-content-type-options"), "nosniff");
      const unknown = await fetch(`${attestor.url}/ipfs/${cidToString(rawCidBytes(prose(51)))}`);
      assert.equal(unknown.status, 404);
      const invalid = await fetch(`${attestor.url}/ipfs/not-a-cid`);
      assert.equal(invalid.status, 400);
      assert.equal(((await invalid.json()) as { error: string }).error, "invalid_cid");
    });

    test("an identity CID (bytes inlined in the CID, held by no one) and a non-SHA-256 CID are refused, not served", async () => {
      const page = new TextEncoder().encode("<script>alert(1)</script>");
      const inline = CID.createV1(raw.code, identity.digest(page));
      const refused = await fetch(`${attestor.url}/ipfs/${inline.toString()}`);
      assert.equal(refused.status, 400);
      const body = (await refused.json()) as { error: string; message: string };
      assert.equal(body.error, "cid_outside_profile");
      assert.match(body.message, /not SHA-256/);
      const BLAKE2B_256 = 0xb220;
      const blake = CID.createV1(raw.code, createDigest(BLAKE2B_256, new Uint8Array(32)));
      assert.equal((await fetch(`${attestor.url}/ipfs/${blake.toString()}`)).status, 400);
      assert.equal((await fetch(`${attestor.url}/ipfs/${cid}`, { method: "HEAD" })).status, 200, "a profile CID is still served");
    });
  });

  test("killed in the middle of an upload: after a restart nothing of it is pinned or recorded, and it can be sent again", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "provena-attestor-kill-"));
    const env = {
      PROVENA_DEPLOYMENT: chain.deploymentFile,
      PROVENA_RPC_URL: chain.rpcUrl,
      ATTESTOR_STATE_DIR: stateDir,
      ATTESTOR_PORT: "0",
    };
    const one = prose(70);
    const two = new Uint8Array(Buffer.concat(Array.from({ length: 10 }, (_, i) => prose(7_000 + i, 6_000)))).subarray(0, 3 * MB);
    const first = await spawnAttestor(env);
    try {
      const headers = await signIn(first.url, alice, chain.deployment.chainId);
      // A multipart body streamed by hand: the first file whole, the second cut off when the server dies.
      const boundary = "provena-kill-test";
      const part = (name: string) =>
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: text/plain\r\n\r\n`;
      const target = new URL(`${first.url}/datanets/${textDatanet}/uploads`);
      const request = httpRequest({
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { ...headers, "content-type": `multipart/form-data; boundary=${boundary}` },
      });
      const failed = new Promise((resolve) => request.on("error", resolve));
      request.write(part("one.txt"));
      request.write(one);
      request.write(`\r\n${part("two.txt")}`);
      request.write(two.subarray(0, MB));
      await new Promise((resolve) => setTimeout(resolve, 500));
      first.child.kill("SIGKILL");
      await first.exited;
      await failed;

      const second = await spawnAttestor(env);
      try {
        const cids = await Promise.all([one, two].map(async (bytes) => (await cidOf(bytes)).toString()));
        for (const cid of cids) assert.equal((await fetch(`${second.url}/ipfs/${cid}`)).status, 404, "nothing of the cut upload is stored");
        // Sessions live in the attestor's database: the same token still works, and no half-recorded upload blocks the files.
        const again = await upload(
          second.url,
          textDatanet,
          [
            { name: "one.txt", bytes: one },
            { name: "two.txt", bytes: two },
          ],
          headers,
        );
        assert.equal(again.status, 201, JSON.stringify(again.body));
        assert.deepEqual(
          again.body.files.map((f) => f.cid),
          cids,
        );
        assert.equal((await fetch(`${second.url}/ipfs/${cids[1]}`)).status, 200);
      } finally {
        second.child.kill("SIGTERM");
        await second.exited;
      }
    } finally {
      first.child.kill("SIGKILL");
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test("after the grace period, uploads never sent on chain are unpinned; contributed ones are kept", async () => {
    const kept = prose(60);
    const dropped = prose(61);
    const a = await upload(attestor.url, textDatanet, [{ name: "kept.txt", bytes: kept }], auth);
    const b = await upload(attestor.url, textDatanet, [{ name: "dropped.txt", bytes: dropped }], auth);
    await contribute(alice, textDatanet, a.body.contribute);
    const result = await sweepOnce({
      db: attestor.db,
      store: attestor.store,
      chain: attestor.chain,
      graceSeconds: 0,
      intervalMs: 0,
      now: () => Math.floor(Date.now() / 1000) + 1,
    });
    assert.ok(result.kept >= 1 && result.unpinned >= 1, JSON.stringify(result));
    assert.equal(await pinned(a.body.files[0]!.cid), true);
    assert.equal(await pinned(b.body.files[0]!.cid), false);
    const status = (await (await fetch(`${attestor.url}/uploads/${b.body.upload}`)).json()) as { files: { status: string }[] };
    assert.equal(status.files[0]!.status, "expired");
    // Forgotten by the near-duplicate index too: the same text may be uploaded again.
    assert.equal((await upload(attestor.url, textDatanet, [{ name: "dropped.txt", bytes: dropped }], auth)).status, 201);
  });
});
