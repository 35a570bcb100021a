/**
 * One inspection thread (see inspect.ts): a file's type from its bytes, its SHA-256, its near-duplicate
 * fingerprint and its CID with the blocks it is stored as, off the attestor's event loop. The bytes come in and go back out as
 * transferred buffers, never copied.
 */
import { parentPort } from "node:worker_threads";
import { dagOf } from "@provena/common";
import { CID } from "multiformats/cid";
import { sha256 } from "@provena/common/node";
import { fastTextFingerprinter, fingerprintOf, sniffFile } from "@provena/content";
import { bytesToHex } from "viem";
import type { Inspection, InspectRequest, InspectReply } from "./inspect.js";

async function inspect(bytes: Uint8Array): Promise<Inspection> {
  const sniffed = sniffFile(bytes);
  if (!sniffed.ok) return { sniffed };
  const dag = await dagOf(bytes);
  const cid = CID.decode(dag.root);
  const common = { sniffed, sha256: sha256(bytes), cid: cid.toString(), cidBytes: bytesToHex(cid.bytes), dag };
  try {
    return { ...common, fingerprint: await fingerprintOf(bytes, sniffed.type, sniffed.modality) };
  } catch (error) {
    return { ...common, fingerprintError: (error as Error).message };
  }
}

// Loaded before the first file, so that the sniffer (synchronous) has the module's kernels too.
await fastTextFingerprinter();

parentPort!.on("message", async ({ id, bytes }: InspectRequest) => {
  const reply: InspectReply = await inspect(bytes).then(
    (inspection) => ({ id, bytes, inspection }),
    (error: Error) => ({ id, bytes, error: error.message }),
  );
  parentPort!.postMessage(reply, [bytes.buffer as ArrayBuffer]);
});
