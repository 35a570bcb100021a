/** The ids an auditor types, parsed strictly: anything else is a usage error, not a failed check. */
import type { Hex } from "viem";
import { VerifyError } from "./errors.js";

const UINT256_MAX = (1n << 256n) - 1n;

/** A model id: a positive decimal integer. Throws `VerifyError` ("usage") for anything else. */
export function parseModelId(input: bigint | number | string): bigint {
  const text = String(input).trim();
  const notAnId = () => new VerifyError("usage", `"${text}" is not a model id: model ids are positive integers (1, 2, …)`);
  if (!/^[0-9]+$/.test(text)) throw notAnId();
  const id = BigInt(text);
  if (id === 0n || id > UINT256_MAX) throw notAnId();
  return id;
}

/** A contribution id: 0x and 64 hex digits. Throws `VerifyError` ("usage") for anything else. */
export function parseContributionId(input: string): Hex {
  const text = input.trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(text))
    throw new VerifyError("usage", `"${text}" is not a contribution id: expected 0x and 64 hex digits (keccak256(datanetId, sha256))`);
  return text.toLowerCase() as Hex;
}
