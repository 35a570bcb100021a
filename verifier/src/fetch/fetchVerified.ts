import { cidFromHex, cidMatches, cidOf } from "@provena/common";
import type { Hex } from "viem";
import type { Verifier } from "../createVerifier.js";
import { fetchBytes } from "./gateway.js";
import { sha256 } from "./sha256.js";

export type FetchVerifiedReturnType = { ok: true; bytes: Uint8Array; sha256: Hex; cid: string } | { ok: false; problem: string };

/**
 * Fetches the file a CID (hex bytes) names from the gateway and checks the bytes against the CID here, so a
 * gateway that sends other bytes is caught: a raw SHA-256 CID by its digest, any other by recomputing the CID
 * under the project's profile. Never throws; a problem says what went wrong.
 */
export async function fetchVerified(ctx: Verifier, cidHex: Hex, maxBytes = 1 << 30): Promise<FetchVerifiedReturnType> {
  const cid = cidFromHex(cidHex);
  if (!cid) return { ok: false, problem: `${cidHex} is not a CID` };
  const name = cid.toString();
  let bytes: Uint8Array;
  try {
    bytes = await fetchBytes({ url: `${ctx.gateway}/ipfs/${name}`, maxBytes, timeoutMs: ctx.fetchTimeoutMs });
  } catch (error) {
    return { ok: false, problem: `${name} could not be fetched from ${ctx.gateway}: ${(error as Error).message}` };
  }
  const digest = await sha256(bytes);
  if (!(await cidMatches(cid, bytes, digest))) {
    const actual = (await cidOf(bytes)).toString();
    return { ok: false, problem: `bytes do not match CID ${name}: the gateway sent ${bytes.length} bytes whose CID is ${actual}` };
  }
  return { ok: true, bytes, sha256: digest, cid: name };
}
