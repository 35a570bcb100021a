import type { Hex } from "viem";

/** One leaf of a dataset that fails a check, and why. */
export type LeafFailure = { id: Hex; problem: string };

export type Check = {
  check: string;
  ok: boolean;
  detail: string;
  /** For checks over many leaves: each failing one and why. */
  failures?: LeafFailure[];
};

export type Report = {
  subject: string;
  ok: boolean;
  /** What was verified (ids, addresses, blocks), as strings and numbers. */
  facts: Record<string, string | number | boolean>;
  checks: Check[];
};
