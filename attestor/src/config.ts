/**
 * The attestor's settings: one typed object per service, built from environment variables, each with a
 * default that runs the local stack (`npm start`). Every variable is listed in the README.
 */
import { dataDir, deploymentPath, loadDeployment } from "@provena/common/node";
import type { Hex } from "viem";
import { hardhat } from "viem/chains";
import { DEFAULT_FACTORY_LIMITS, type FactoryConfig } from "@provena/factory";
import { type GatewayConfig, UPLOAD_DEFAULTS } from "@provena/gateway";
import type { RuntimeConfig, ServerConfig } from "@provena/runtime";
import { FOLLOWER_BOUNDS, type ValidatorConfig } from "@provena/validator";

export type AttestorConfig = {
  server: ServerConfig;
  runtime: RuntimeConfig;
  gateway: GatewayConfig;
  validator: ValidatorConfig;
  factory: FactoryConfig;
};

type Env = Record<string, string | undefined>;

const number = (env: Env, name: string, fallback: number, check: (value: number) => boolean = (v) => v >= 0): number => {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new Error(`${name} must be a valid number, not "${raw}"`);
  return value;
};

const positiveInteger = (value: number) => Number.isInteger(value) && value > 0;

/** `{ [field]: value }` when the variable is set (a positive integer), else nothing: the service's own default. */
const optional = <K extends string>(field: K, env: Env, name: string): Partial<Record<K, number>> =>
  env[name] ? ({ [field]: number(env, name, 0, positiveInteger) } as Record<K, number>) : {};

const key = (env: Env, name: string): Hex | undefined => {
  const raw = env[name];
  if (!raw) return undefined;
  if (!/^0x[0-9a-fA-F]{64}$/.test(raw)) throw new Error(`${name} must be a 32-byte hex private key (0x + 64 hex digits)`);
  return raw as Hex;
};

export function loadConfig(env: Env = process.env): AttestorConfig {
  const deployment = loadDeployment(deploymentPath(env));
  const rpcUrl = env.PROVENA_RPC_URL ?? deployment.rpcUrl;
  if (!rpcUrl) throw new Error("PROVENA_RPC_URL is not set and the deployment file names no local node");
  const validatorKey = key(env, "ATTESTOR_VALIDATOR_KEY");
  const nearDuplicate = {
    textSimilarity: number(env, "NEAR_DUP_TEXT_SIMILARITY", 0.8, (v) => v > 0 && v <= 1),
    imageDistanceBits: number(env, "NEAR_DUP_IMAGE_BITS", 6, (v) => Number.isInteger(v) && v >= 0 && v <= 64),
  };
  return {
    server: {
      host: env.ATTESTOR_HOST ?? env.PROVENA_HOST ?? "127.0.0.1",
      port: number(env, "ATTESTOR_PORT", 8788, (v) => Number.isInteger(v) && v >= 0 && v <= 65_535),
    },
    runtime: {
      stateDir: env.ATTESTOR_STATE_DIR ?? `${dataDir(env)}/attestor`,
      deployment,
      rpcUrl,
      ipfsApiUrl: env.IPFS_API_URL || undefined,
      relayerKey: key(env, "ATTESTOR_RELAYER_KEY") ?? validatorKey,
      maxFeeGwei: number(env, "ATTESTOR_MAX_FEE_GWEI", 500, (v) => v > 0),
    },
    gateway: {
      receiptKey: key(env, "ATTESTOR_GATEWAY_KEY") ?? validatorKey,
      siweDomains: env.SIWE_DOMAINS
        ? env.SIWE_DOMAINS.split(",")
            .map((domain) => domain.trim())
            .filter(Boolean)
        : undefined,
      nonceTtlSeconds: number(env, "SIWE_NONCE_TTL_SECONDS", 300, (v) => v > 0),
      sessionTtlSeconds: number(env, "SESSION_TTL_SECONDS", 86_400, (v) => v > 0),
      unpinGraceSeconds: number(env, "UNPIN_GRACE_SECONDS", 86_400),
      sweepIntervalMs: number(env, "SWEEP_INTERVAL_MS", 60_000, (v) => v > 0),
      nearDuplicate,
      uploads: {
        inspectThreads: number(env, "UPLOAD_INSPECT_THREADS", UPLOAD_DEFAULTS.inspectThreads, positiveInteger),
        maxActive: number(env, "UPLOAD_MAX_ACTIVE", UPLOAD_DEFAULTS.maxActive, positiveInteger),
        maxActiveBytes: number(env, "UPLOAD_MAX_ACTIVE_BYTES", UPLOAD_DEFAULTS.maxActiveBytes, positiveInteger),
        maxWaiting: number(env, "UPLOAD_MAX_WAITING", UPLOAD_DEFAULTS.maxWaiting, Number.isInteger),
        maxPerAddress: number(env, "UPLOAD_MAX_PER_ADDRESS", UPLOAD_DEFAULTS.maxPerAddress, positiveInteger),
        ...optional("maxPendingFilesPerAddress", env, "UPLOAD_MAX_PENDING_FILES_PER_ADDRESS"),
        ...optional("maxPendingBytesPerAddress", env, "UPLOAD_MAX_PENDING_BYTES_PER_ADDRESS"),
        maxPendingBytes: number(env, "UPLOAD_MAX_PENDING_BYTES", UPLOAD_DEFAULTS.maxPendingBytes, positiveInteger),
      },
    },
    validator: {
      validatorKey,
      relay: {
        maxBatch: number(env, "RELAY_MAX_BATCH", 50, (v) => Number.isInteger(v) && v > 0),
        maxWaitMs: number(env, "RELAY_MAX_WAIT_MS", 2_000),
        retryMs: number(env, "RELAY_RETRY_MS", 1_000, (v) => v > 0),
        verdictTtlSeconds: number(env, "VERDICT_TTL_SECONDS", 7 * 86_400, (v) => v > 0),
      },
      pollingMs: number(env, "ATTESTOR_POLLING_MS", 1_000, (v) => v > 0),
      // The local node mines a block per transaction and none otherwise: waiting for confirmations would wait forever.
      confirmations: number(env, "VALIDATOR_CONFIRMATIONS", deployment.chainId === hardhat.id ? 0 : 3, Number.isInteger),
      jobTimeoutMs: number(env, "VALIDATOR_JOB_TIMEOUT_MS", 60_000, (v) => v > 0),
      nearDuplicate,
      follower: {
        maxLagBlocks: number(env, "VALIDATOR_MAX_LAG_BLOCKS", FOLLOWER_BOUNDS.maxLagBlocks, (v) => Number.isInteger(v) && v >= 0),
        staleMs: number(env, "VALIDATOR_STALE_MS", FOLLOWER_BOUNDS.staleMs, (v) => v > 0),
      },
    },
    factory: {
      attestorKey: key(env, "ATTESTOR_KEY") ?? validatorKey,
      modelsDir: env.MODELS_DIR ?? `${dataDir(env)}/models`,
      limits: {
        jobsPerWallet: number(env, "FACTORY_JOBS_PER_WALLET", DEFAULT_FACTORY_LIMITS.jobsPerWallet, positiveInteger),
        jobTimeoutMs: number(env, "FACTORY_JOB_TIMEOUT_MS", DEFAULT_FACTORY_LIMITS.jobTimeoutMs, positiveInteger),
        chat: {
          maxNewTokens: number(env, "FACTORY_CHAT_MAX_NEW_TOKENS", DEFAULT_FACTORY_LIMITS.chat.maxNewTokens, positiveInteger),
          maxMessages: number(env, "FACTORY_CHAT_MAX_MESSAGES", DEFAULT_FACTORY_LIMITS.chat.maxMessages, positiveInteger),
          maxPromptChars: number(env, "FACTORY_CHAT_MAX_PROMPT_CHARS", DEFAULT_FACTORY_LIMITS.chat.maxPromptChars, positiveInteger),
          replyTimeoutMs: number(env, "FACTORY_CHAT_TIMEOUT_MS", DEFAULT_FACTORY_LIMITS.chat.replyTimeoutMs, positiveInteger),
        },
      },
    },
  };
}
