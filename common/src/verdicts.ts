/**
 * Verdict typed data (EIP-712) and contribution ids, exactly as `ContributionLedger` hashes them.
 */
import { encodeAbiParameters, keccak256, type Address, type Hex, type LocalAccount } from "viem";

export const VERDICT_DOMAIN_NAME = "Provena ContributionLedger";
export const VERDICT_DOMAIN_VERSION = "1";

export const verdictTypes = {
  Verdict: [
    { name: "contribution", type: "bytes32" },
    { name: "accept", type: "bool" },
    { name: "score", type: "uint8" },
    { name: "reason", type: "uint16" },
    { name: "deadline", type: "uint64" },
  ],
} as const;

export type Verdict = { contribution: Hex; accept: boolean; score: number; reason: number; deadline: bigint };

export const verdictDomain = (chainId: number, ledger: Address) =>
  ({ name: VERDICT_DOMAIN_NAME, version: VERDICT_DOMAIN_VERSION, chainId, verifyingContract: ledger }) as const;

/** Typed data ready for viem's `signTypedData`. */
export const verdictTypedData = (chainId: number, ledger: Address, verdict: Verdict) =>
  ({ domain: verdictDomain(chainId, ledger), types: verdictTypes, primaryType: "Verdict", message: verdict }) as const;

/** A verdict signed by `validator`, in the form `ContributionLedger.submitVerdicts` takes. */
export const signedVerdict = async (validator: LocalAccount, chainId: number, ledger: Address, verdict: Verdict) => ({
  verdict,
  validator: validator.address,
  signature: await validator.signTypedData(verdictTypedData(chainId, ledger, verdict)),
});

export const contributionId = (datanetId: bigint, contentHash: Hex): Hex =>
  keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }], [datanetId, contentHash]));
