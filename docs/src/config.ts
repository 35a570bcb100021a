/** The docs server's settings, from the environment, with the local stack's defaults. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Deployment } from "@provena/common";
import type { Hex } from "viem";

export type DocsConfig = {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The repository: the guides, the README and the code the references are generated from. */
  root: string;
  /** Ingested documentation sites, one folder each (`npm run docs:ingest`). */
  sourcesDir: string;
  /** Browser origins that may call /mcp; requests without an Origin (agents, CLIs) are always served. */
  origins: string[];
  /** The live data the MCP tools read. */
  indexerUrl: string;
  attestorUrl: string;
  /** The deployment file (chain id, addresses) for verify_model; undefined where there is none. */
  deployment?: Deployment;
  rpcUrl?: string;
  /** A base model of the attestor's ModelFactory catalog that writes a generated answer beside the extractive one. */
  answerModel?: string;
  /** The key the docs server signs in to the attestor with to use it (its chat needs a signed-in wallet). */
  answerKey?: Hex;
};

const port = (raw: string | undefined, fallback: number, name: string) => {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`${name} must be a port number (0–65535), not "${raw}"`);
  return value;
};

export const DEFAULT_DOCS_PORT = 8789;

const answerKey = (raw: string): Hex => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(raw)) throw new Error("DOCS_ANSWER_KEY must be a 0x-prefixed 32-byte private key");
  return raw as Hex;
};

export function docsConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  root = resolve(new URL("../..", import.meta.url).pathname),
): DocsConfig {
  const host = env.DOCS_HOST ?? env.PROVENA_HOST ?? "127.0.0.1";
  const dataDir = env.PROVENA_DATA_DIR ?? resolve(root, "data");
  const deploymentPath = env.PROVENA_DEPLOYMENT ?? `${dataDir}/deployment.json`;
  let deployment: Deployment | undefined;
  try {
    deployment = JSON.parse(readFileSync(deploymentPath, "utf8")) as Deployment;
  } catch {
    deployment = undefined; // verify_model says so when asked
  }
  const indexerPort = port(env.PROVENA_INDEXER_PORT, 42_069, "PROVENA_INDEXER_PORT");
  const attestorPort = port(env.ATTESTOR_PORT, 8788, "ATTESTOR_PORT");
  return {
    host,
    port: port(env.DOCS_PORT, DEFAULT_DOCS_PORT, "DOCS_PORT"),
    root,
    sourcesDir: env.DOCS_SOURCES_DIR ?? `${dataDir}/docs-sources`,
    origins: (env.DOCS_ORIGINS ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
    indexerUrl: env.PROVENA_INDEXER_URL ?? `http://${host}:${indexerPort}`,
    attestorUrl: env.PROVENA_ATTESTOR_URL ?? `http://${host}:${attestorPort}`,
    deployment,
    rpcUrl: env.PROVENA_RPC_URL ?? deployment?.rpcUrl,
    ...(env.DOCS_ANSWER_MODEL ? { answerModel: env.DOCS_ANSWER_MODEL } : {}),
    ...(env.DOCS_ANSWER_KEY ? { answerKey: answerKey(env.DOCS_ANSWER_KEY) } : {}),
  };
}
