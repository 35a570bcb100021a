import type { NearDuplicateConfig } from "@provena/runtime";

/** Sign-in, uploads and their sweeper. */
export type GatewayConfig = {
  /**
   * The host[:port]s a sign-in message may name (its domain, and its URI's host). Unset: this attestor's
   * own loopback address (127.0.0.1:<port> and localhost:<port>). Never taken from a request's Host.
   */
  siweDomains?: readonly string[];
  nonceTtlSeconds: number;
  sessionTtlSeconds: number;
  /** How long an upload stays pinned without its `contribute` transaction. */
  unpinGraceSeconds: number;
  sweepIntervalMs: number;
  nearDuplicate: NearDuplicateConfig;
};
