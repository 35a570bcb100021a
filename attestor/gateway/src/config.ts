import { availableParallelism } from "node:os";
import { MB } from "@provena/common";
import type { Hex } from "viem";
import type { NearDuplicateConfig } from "@provena/runtime";
import type { AdmissionLimits } from "./upload/admission.js";
import type { UploadQuotas } from "./upload/service.js";

/** Sign-in, uploads and their sweeper. */
export type GatewayConfig = {
  /**
   * The host[:port]s a sign-in message may name (its domain, and its URI's host). Unset: this attestor's
   * own loopback address (127.0.0.1:<port> and localhost:<port>). Never taken from a request's Host.
   */
  siweDomains?: readonly string[];
  /**
   * The key that signs upload receipts (`contributeWithReceipt`; it needs the registry's `GATEWAY_ROLE`).
   * Unset: uploads come without one, and Datanets that require receipts cannot be contributed to through here.
   */
  receiptKey?: Hex | undefined;
  nonceTtlSeconds: number;
  sessionTtlSeconds: number;
  /** How long an upload stays pinned without its `contribute` transaction. */
  unpinGraceSeconds: number;
  sweepIntervalMs: number;
  nearDuplicate: NearDuplicateConfig;
  /**
   * Uploads worked on at once, waiting, and per address; what uploads not yet contributed may hold; the
   * threads that sniff, hash and fingerprint files.
   */
  uploads: AdmissionLimits & UploadQuotas & { inspectThreads: number };
};

/**
 * The upload limits' defaults: up to 16 uploads checked at once, holding up to 16 MiB of declared bodies
 * between them (enough to keep the inspection threads busy: more only waits for them, in memory; an
 * upload larger than that, up to 20 × 5 MB, goes on alone), 32 waiting,
 * one in progress per address; uploads not yet contributed may hold two days of the protocol's allowance
 * per address (the per-address quotas unset) and 2 GiB in all; files inspected on up to two threads.
 */
export const UPLOAD_DEFAULTS: GatewayConfig["uploads"] = {
  inspectThreads: Math.min(2, availableParallelism()),
  maxActive: 16,
  maxActiveBytes: 16 * MB,
  maxWaiting: 32,
  maxPerAddress: 1,
  maxPendingBytes: 2 * 1_024 * MB,
};
