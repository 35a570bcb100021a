/**
 * The attestor in tests: in-process on a free loopback port against a `startChain()` node, with its state
 * in a throwaway folder; or as a child process (`spawnAttestor`) for tests that kill it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Address, Hex, LocalAccount } from "viem";
import { createSiweMessage } from "viem/siwe";
import type { AttestorConfig } from "../../attestor/src/config.js";
import { createAttestor } from "../../attestor/src/server.js";
import { UPLOAD_DEFAULTS } from "../../attestor/gateway/src/config.js";
import type { Chain } from "./stack.js";

/** What tests and benchmarks set themselves; everything else is a test default. */
export type AttestorOverrides = {
  stateDir?: string;
  /** The chain node as the attestor reaches it (default: the test chain's own URL). */
  rpcUrl?: string;
  modelsDir?: string;
  validatorKey?: Hex;
  relayerKey?: Hex;
  attestorKey?: Hex;
  /** Signs upload receipts (needs GATEWAY_ROLE on the registry). */
  gatewayKey?: Hex;
  pollingMs?: number;
  confirmations?: number;
  jobTimeoutMs?: number;
  follower?: AttestorConfig["validator"]["follower"];
  relay?: AttestorConfig["validator"]["relay"];
  siweDomains?: readonly string[];
  uploads?: Partial<AttestorConfig["gateway"]["uploads"]>;
  factoryLimits?: AttestorConfig["factory"]["limits"];
};

export function attestorConfig(chain: Chain, overrides: AttestorOverrides = {}): AttestorConfig {
  const nearDuplicate = { textSimilarity: 0.8, imageDistanceBits: 6 };
  return {
    server: { host: "127.0.0.1", port: 0 },
    runtime: {
      stateDir: overrides.stateDir ?? mkdtempSync(join(tmpdir(), "provena-attestor-")),
      deployment: chain.deployment,
      rpcUrl: overrides.rpcUrl ?? chain.rpcUrl,
      relayerKey: overrides.relayerKey,
      maxFeeGwei: 500,
    },
    gateway: {
      receiptKey: overrides.gatewayKey,
      nonceTtlSeconds: 300,
      sessionTtlSeconds: 3_600,
      unpinGraceSeconds: 86_400,
      sweepIntervalMs: 3_600_000,
      nearDuplicate,
      uploads: { ...UPLOAD_DEFAULTS, ...overrides.uploads },
      ...(overrides.siweDomains ? { siweDomains: overrides.siweDomains } : {}),
    },
    validator: {
      validatorKey: overrides.validatorKey,
      relay: overrides.relay ?? { maxBatch: 50, maxWaitMs: 200, retryMs: 200, verdictTtlSeconds: 86_400 },
      pollingMs: overrides.pollingMs ?? 200,
      confirmations: overrides.confirmations ?? 0,
      jobTimeoutMs: overrides.jobTimeoutMs ?? 10_000,
      nearDuplicate,
      ...(overrides.follower ? { follower: overrides.follower } : {}),
    },
    factory: {
      attestorKey: overrides.attestorKey,
      modelsDir: overrides.modelsDir ?? join(tmpdir(), "provena-no-models"),
      ...(overrides.factoryLimits ? { limits: overrides.factoryLimits } : {}),
    },
  };
}

export async function startAttestor(chain: Chain, overrides: AttestorOverrides = {}) {
  const config = attestorConfig(chain, overrides);
  const attestor = await createAttestor(config);
  return {
    ...attestor,
    config,
    close: async () => {
      await attestor.close();
      if (!overrides.stateDir) rmSync(config.runtime.stateDir, { recursive: true, force: true });
    },
  };
}

export type SiweOverrides = {
  domain?: string;
  uri?: string;
  chainId?: number;
  nonce?: string;
  expirationTime?: Date;
  notBefore?: Date;
  address?: Address;
};

/** A signed EIP-4361 message for `url`'s attestor, with any field overridden. */
export async function siweMessage(url: string, signer: LocalAccount, chainId: number, overrides: SiweOverrides = {}) {
  const nonce = overrides.nonce ?? ((await (await fetch(`${url}/auth/nonce`)).json()) as { nonce: string }).nonce;
  const message = createSiweMessage({
    address: overrides.address ?? signer.address,
    chainId: overrides.chainId ?? chainId,
    domain: overrides.domain ?? new URL(url).host,
    nonce,
    uri: overrides.uri ?? url,
    version: "1",
    issuedAt: new Date(),
    expirationTime: overrides.expirationTime ?? new Date(Date.now() + 600_000),
    ...(overrides.notBefore ? { notBefore: overrides.notBefore } : {}),
    statement: "Sign in to upload to Provena.",
  });
  return { message, signature: await signer.signMessage({ message }) };
}

export const postJson = async <T = Record<string, unknown>>(url: string, body: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
};

/** Signs in and returns the Authorization header. */
export async function signIn(url: string, signer: LocalAccount, chainId: number): Promise<Record<string, string>> {
  const { status, body } = await postJson<{ token: string }>(`${url}/auth/verify`, await siweMessage(url, signer, chainId));
  if (status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(body)}`);
  return { authorization: `Bearer ${body.token}` };
}

export type UploadAnswer = {
  upload: string;
  files: { name: string; sha256: Hex; cid: string; cidBytes: Hex; size: number; fileType: number; type: string; contributionId: Hex }[];
  contribute: { contentHash: Hex; cid: Hex; size: number; fileType: number }[];
  error?: string;
  message?: string;
  refused?: { index: number; code: string; message: string }[];
};

export async function upload(
  url: string,
  datanetId: bigint,
  files: { name: string; bytes: Uint8Array }[],
  headers: Record<string, string>,
) {
  const form = new FormData();
  for (const file of files) form.append("file", new Blob([file.bytes]), file.name);
  const response = await fetch(`${url}/datanets/${datanetId}/uploads`, { method: "POST", body: form, headers });
  return { status: response.status, body: (await response.json()) as UploadAnswer };
}

/** The attestor as a child process (`attestor/src/main.ts`), for tests that kill it. */
export async function spawnAttestor(
  env: NodeJS.ProcessEnv,
  onLog?: (line: string) => void,
): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "attestor/src/main.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  if (onLog) createInterface({ input: child.stderr! }).on("line", onLog);
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      try {
        const parsed = JSON.parse(line) as { ready?: boolean; url?: string };
        if (parsed.ready && parsed.url) resolve(parsed.url);
      } catch {
        // not the ready line
      }
    });
    void exited.then((code) => reject(new Error(`the attestor exited (${code}) before it was ready: ${stderr}`)));
  });
  return { url, child, exited };
}
