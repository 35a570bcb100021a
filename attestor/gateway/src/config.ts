import type { NearDuplicateConfig } from "@provena/runtime";

/** Sign-in, uploads and their sweeper. */
export type GatewayConfig = {
  /** The host:port sign-in messages must name; unset accepts the Host the request was sent to. */
  siweDomain?: string;
  nonceTtlSeconds: number;
  sessionTtlSeconds: number;
  /** How long an upload stays pinned without its `contribute` transaction. */
  unpinGraceSeconds: number;
  sweepIntervalMs: number;
  nearDuplicate: NearDuplicateConfig;
};
