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
    // Named in what is signed, so that one signature can never count for two validators (an EOA and a
    // contract wallet that accepts that EOA's signatures, say).
    { name: "validator", type: "address" },
  ],
} as const;

export type Verdict = { contribution: Hex; accept: boolean; score: number; reason: number; deadline: bigint };

export const verdictDomain = (chainId: number, ledger: Address) =>
  ({ name: VERDICT_DOMAIN_NAME, version: VERDICT_DOMAIN_VERSION, chainId, verifyingContract: ledger }) as const;

/** Typed data ready for viem's `signTypedData`: `verdict` as cast by `validator` (an EOA, or an EIP-1271 wallet). */
export const verdictTypedData = (chainId: number, ledger: Address, verdict: Verdict, validator: Address) =>
  ({
    domain: verdictDomain(chainId, ledger),
    types: verdictTypes,
    primaryType: "Verdict",
    message: { ...verdict, validator },
  }) as const;

/**
 * A verdict signed by `signer`, in the form `ContributionLedger.submitVerdicts` takes; cast by the signer's
 * own address, or by `as` (a contract wallet whose EIP-1271 check accepts the signer's signatures).
 */
export const signedVerdict = async (
  signer: LocalAccount,
  chainId: number,
  ledger: Address,
  verdict: Verdict,
  as: Address = signer.address,
) => ({
  verdict,
  validator: as,
  signature: await signer.signTypedData(verdictTypedData(chainId, ledger, verdict, as)),
});

export const contributionId = (datanetId: bigint, contentHash: Hex): Hex =>
  keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }], [datanetId, contentHash]));
