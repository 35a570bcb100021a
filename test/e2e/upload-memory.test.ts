/**
 * Memory under load (issue 13, item 14): 20 clients each send a maximum-size upload (20 files of 5 MB) at
 * the same moment to the attestor, run as its own process so that its memory is its own. Every upload is
 * answered 201, `/health` answers all along, and the attestor's peak resident memory (VmHWM) stays under
 * MEMORY_BOUND_MB: a maximum-size upload takes the whole `UPLOAD_MAX_ACTIVE_BYTES` budget, so one at a time
 * holds its files in memory, the others wait unread.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_BATCH, MB, modalityCode } from "@provena/common";
import { signIn, spawnAttestor } from "../helpers/attestor.js";
import { admin, startChain, type Chain } from "../helpers/stack.js";

const CLIENTS = 20;
const FILE_BYTES = 5 * MB; // the protocol's default per-file maximum
/** The stated bound on the attestor's peak resident memory while 20 maximum-size uploads arrive at once. */
const MEMORY_BOUND_MB = 1_024;

/** A 16-bit mono PCM WAV of exactly `size` bytes, its samples random (every file distinct). */
function wav(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => bytes.set(Buffer.from(text, "latin1"), at);
  const dataBytes = size - 44;
  ascii(0, "RIFF");
  view.setUint32(4, size - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, 16_000, true);
  view.setUint32(28, 32_000, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  bytes.set(randomBytes(dataBytes), 44);
  return bytes;
}

/** A multipart upload streamed from the given buffers (no copy of them in this process); its status. */
function streamUpload(url: string, datanetId: bigint, files: Uint8Array[], headers: Record<string, string>) {
  const boundary = "provena-memory-test";
  const heads = files.map((_, i) =>
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="f${i}.wav"\r\ncontent-type: audio/wav\r\n\r\n`),
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const crlf = Buffer.from("\r\n");
  const length = heads.reduce((n, head, i) => n + head.length + files[i]!.length + (i > 0 ? crlf.length : 0), tail.length);
  return new Promise<number>((resolve, reject) => {
    const request = httpRequest(`${url}/datanets/${datanetId}/uploads`, {
      method: "POST",
      headers: { ...headers, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(length) },
    });
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode!));
    });
    request.on("error", reject);
    void (async () => {
      for (const [i, file] of files.entries()) {
        if (i > 0) request.write(crlf);
        request.write(heads[i]);
        if (!request.write(file)) await new Promise((drained) => request.once("drain", drained));
      }
      request.end(tail);
    })();
  });
}

const peakResidentMb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
};

describe("memory: 20 maximum-size uploads at once", () => {
  let chain: Chain;
  let stateDir: string;

  before(async () => {
    chain = await startChain();
    // A day's allowance as large as one maximum upload, so that every client's is accepted.
    await chain
      .registryAs(admin)
      .write("setLimits", [{ maxFileBytes: FILE_BYTES, dailyBytes: BigInt(MAX_BATCH * FILE_BYTES), dailyFiles: MAX_BATCH }]);
    stateDir = mkdtempSync(join(tmpdir(), "provena-memory-"));
  });
  after(async () => {
    await chain?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test(`the attestor answers every upload and /health while its peak memory stays under ${MEMORY_BOUND_MB} MB`, async () => {
    const datanet = await chain.createDatanet(await chain.account(), [await chain.account()], 1, modalityCode("audio"));
    const attestor = await spawnAttestor({
      PROVENA_DEPLOYMENT: chain.deploymentFile,
      PROVENA_RPC_URL: chain.rpcUrl,
      ATTESTOR_STATE_DIR: stateDir,
      ATTESTOR_PORT: "0",
      UPLOAD_MAX_PENDING_BYTES: String(4 * 1_024 * MB),
    });
    try {
      const files = Array.from({ length: MAX_BATCH }, () => wav(FILE_BYTES));
      const accounts = await Promise.all(Array.from({ length: CLIENTS }, () => chain.account()));
      const sessions = await Promise.all(accounts.map((account) => signIn(attestor.url, account, chain.deployment.chainId)));
      const idle = peakResidentMb(attestor.child.pid!);

      let uploading = true;
      const healthStatuses: number[] = [];
      const probing = (async () => {
        while (uploading) {
          healthStatuses.push((await fetch(`${attestor.url}/health`)).status);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const statuses = await Promise.all(sessions.map((session) => streamUpload(attestor.url, datanet, files, session)));
      uploading = false;
      await probing;

      const peak = peakResidentMb(attestor.child.pid!);
      console.log(
        `attestor resident memory: ${idle.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB during ${CLIENTS} uploads of ${MAX_BATCH} × 5 MB`,
      );
      assert.deepEqual(statuses, Array(CLIENTS).fill(201));
      assert.ok(healthStatuses.length > 0 && healthStatuses.every((status) => status === 200), `health: ${healthStatuses.join(" ")}`);
      assert.ok(peak < MEMORY_BOUND_MB, `peak resident memory ${peak.toFixed(0)} MB, bound ${MEMORY_BOUND_MB} MB`);
    } finally {
      attestor.child.kill("SIGTERM");
      await attestor.exited;
    }
  });
});
