/**
 * What only Node can do, kept out of the browser-safe entry point (`@provena/common`): synchronous
 * SHA-256 with `node:crypto` (the attestor's and tests' hashing), and where the data folder and the
 * deployment file are on disk.
 * Paths take the environment to read (the current process's by default), so a launcher can resolve a child's.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bytesToHex, type Hex } from "viem";
import { rawCidBytesOfDigest } from "./cid.js";
import type { Deployment } from "./deployment.js";

export const sha256 = (bytes: Uint8Array): Hex => bytesToHex(createHash("sha256").update(bytes).digest());

/** The raw CID bytes of content that fits in one raw block. */
export const rawCidBytes = (bytes: Uint8Array): Uint8Array => rawCidBytesOfDigest(createHash("sha256").update(bytes).digest());

type Env = Record<string, string | undefined>;

export const dataDir = (env: Env = process.env): string => env.PROVENA_DATA_DIR ?? fileURLToPath(new URL("../../data", import.meta.url));

/** Content named by CID, one file per CID (the seed writes here; the indexer reads Datanet metadata here). */
export const contentDir = (env: Env = process.env): string => env.PROVENA_CONTENT_DIR ?? `${dataDir(env)}/content`;

/** $PROVENA_DEPLOYMENT, default `data/deployment.json` under the repository. */
export const deploymentPath = (env: Env = process.env): string => env.PROVENA_DEPLOYMENT ?? `${dataDir(env)}/deployment.json`;

export const loadDeployment = (path = deploymentPath()): Deployment => {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new Error(`no deployment file at ${path}: run \`npm start\` (local) or \`npm run deploy -- --network l2\``);
  }
  return JSON.parse(text) as Deployment;
};
