/**
 * A human validator's signed verdict, checked off-chain before it joins a batch: well-formed, not
 * expired, signed by the validator it names (an EOA or an EIP-1271 wallet), about a contribution that
 * exists, from a validator of that contribution's Datanet, who has not voted on it yet. One bad verdict
 * would revert a whole `submitVerdicts` batch, so none reaches the queue.
 */
import { Status, statusName, verdictTypedData, type Verdict } from "@provena/common";
import { encodeFunctionData, getAddress, hashTypedData, isAddress, isHex, parseAbi, sliceHex, type Address, type Hex } from "viem";
import { type ChainView, fail } from "@provena/runtime";

export type SignedVerdict = { verdict: Verdict; validator: Address; signature: Hex };

const erc1271Abi = parseAbi(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const ERC1271_MAGIC_VALUE: Hex = "0x1626ba7e";

/** The ledger's constant `SIGNATURE_CHECK_GAS`, read once per chain view (a failed read is tried again). */
const checkGas = new WeakMap<ChainView, Promise<bigint>>();
const signatureCheckGas = (chain: ChainView): Promise<bigint> => {
  let gas = checkGas.get(chain);
  if (!gas) {
    gas = chain.client.readContract({ ...chain.ledger, functionName: "SIGNATURE_CHECK_GAS" });
    gas.catch(() => checkGas.delete(chain));
    checkGas.set(chain, gas);
  }
  return gas;
};

/**
 * A contract wallet's answer, asked as the ledger asks it: with the gas the ledger gives the check (so a
 * wallet that burns gas costs this node no more than that).
 */
async function walletAccepts(chain: ChainView, wallet: Address, digest: Hex, signature: Hex): Promise<boolean> {
  const gas = await signatureCheckGas(chain);
  const data = encodeFunctionData({ abi: erc1271Abi, functionName: "isValidSignature", args: [digest, signature] });
  const answer = await chain.client.call({ to: wallet, data, gas }).catch(() => undefined);
  return (
    answer?.data !== undefined && answer.data.length >= 2 + 64 && sliceHex(answer.data, 0, 32) === `${ERC1271_MAGIC_VALUE}${"0".repeat(56)}`
  );
}

/** Seconds a verdict must still be valid for when it arrives, to survive batching and inclusion. */
export const MIN_DEADLINE_MARGIN_SECONDS = 60;

const isUint = (value: unknown, bits: number): value is number | string =>
  (typeof value === "number" && Number.isInteger(value) && value >= 0) ||
  (typeof value === "string" && /^\d+$/.test(value) && BigInt(value) < 1n << BigInt(bits));

/** Half the secp256k1 group order: the ledger's ECDSA check (OpenZeppelin's) refuses an `s` above it. */
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * An EOA's signature in the one form the ledger's ECDSA check takes: 65 bytes (r, s, v) with v 27 or 28
 * and a low s. A v of 0 or 1 (as some hardware wallets give it) is the same signature and is rewritten;
 * anything else the chain would refuse is refused here, by name, rather than queued and dropped later.
 */
export function eoaSignature(signature: Hex): Hex {
  if (signature.length !== 2 + 65 * 2)
    fail("invalid", "bad_signature_format", `an account's signature is 65 bytes (r, s, v), not ${(signature.length - 2) / 2}`);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  if (s > SECP256K1_HALF_N)
    fail(
      "invalid",
      "malleable_signature",
      "the signature's s is in the upper half of the curve order: the chain takes only its low-s twin",
    );
  const normal = withV27(signature);
  const v = Number.parseInt(normal.slice(130), 16);
  if (v !== 27 && v !== 28)
    fail("invalid", "bad_signature_format", `the signature's v is ${v}: the chain takes 27 or 28 (or 0 or 1, rewritten)`);
  return normal;
}

/** `signature` lower-cased, and when it is 65 bytes with a v of 0 or 1, with that v as 27 or 28 (the same signature). */
export function withV27(signature: Hex): Hex {
  const lower = signature.toLowerCase() as Hex;
  if (lower.length !== 2 + 65 * 2 || !/0[01]$/.test(lower)) return lower;
  return `${lower.slice(0, 130)}${(Number.parseInt(lower.slice(130), 16) + 27).toString(16)}` as Hex;
}

/** The verdict a JSON body describes, or a 400 naming the field. */
export function parseSignedVerdict(body: unknown): SignedVerdict {
  const { verdict, validator, signature } = (body ?? {}) as Record<string, unknown>;
  const v = (verdict ?? {}) as Record<string, unknown>;
  if (typeof v.contribution !== "string" || !isHex(v.contribution) || v.contribution.length !== 66)
    fail("invalid", "invalid_verdict", "verdict.contribution must be a 32-byte hex id");
  if (typeof v.accept !== "boolean") fail("invalid", "invalid_verdict", "verdict.accept must be true or false");
  if (!isUint(v.score, 8)) fail("invalid", "invalid_verdict", "verdict.score must be an integer 0–100");
  if (!isUint(v.reason, 16)) fail("invalid", "invalid_verdict", "verdict.reason must be a reason code (0–65535)");
  if (!isUint(v.deadline, 64)) fail("invalid", "invalid_verdict", "verdict.deadline must be a Unix time in seconds");
  if (typeof validator !== "string" || !isAddress(validator)) fail("invalid", "invalid_verdict", "validator must be an address");
  if (typeof signature !== "string" || !isHex(signature)) fail("invalid", "invalid_verdict", "signature must be 0x-prefixed hex");
  const score = Number(v.score);
  if (score > 100) fail("invalid", "invalid_score", `verdict.score is ${score}: scores run from 0 to 100`);
  return {
    verdict: {
      contribution: (v.contribution as Hex).toLowerCase() as Hex,
      accept: v.accept as boolean,
      score,
      reason: Number(v.reason),
      deadline: BigInt(v.deadline as string | number),
    },
    validator: getAddress(validator as string),
    signature: signature as Hex,
  };
}

/** The on-chain facts a verdict must agree with; throws an AttestorError naming the first that fails. */
export async function checkSignedVerdict(
  chain: ChainView,
  chainId: number,
  signed: SignedVerdict,
  now: number,
): Promise<{ datanetId: bigint; signature: Hex }> {
  const { verdict, validator } = signed;
  if (verdict.deadline < BigInt(now + MIN_DEADLINE_MARGIN_SECONDS)) {
    fail(
      "refused",
      "verdict_expired",
      `the verdict's deadline (${new Date(Number(verdict.deadline) * 1000).toISOString()}) is past or less than ${MIN_DEADLINE_MARGIN_SECONDS} s away`,
    );
  }
  // An account's signature is checked as the chain checks it; a contract wallet's format is its own.
  const code = await chain.client.getCode({ address: validator });
  const isAccount = !code || code === "0x";
  const signature = isAccount ? eoaSignature(signed.signature) : signed.signature;
  const typedData = verdictTypedData(chainId, chain.ledger.address, verdict, validator);
  const valid = isAccount
    ? await chain.client.verifyTypedData({ address: validator, signature, ...typedData }).catch(() => false)
    : await walletAccepts(chain, validator, hashTypedData(typedData), signature);
  if (!valid)
    fail(
      "unauthenticated",
      "bad_signature",
      `the signature is not ${validator}'s over this verdict on chain ${chainId} (forged, or signed for another chain, ledger or verdict)`,
    );
  const contribution = await chain.contribution(verdict.contribution);
  if (contribution.status === Status.None) fail("not_found", "unknown_contribution", `no contribution ${verdict.contribution} on chain`);
  const datanetId = BigInt(contribution.datanetId);
  const [active] = await chain.validatorQuorum(datanetId, validator);
  if (!active) fail("forbidden", "not_validator", `${validator} is not a validator of Datanet ${datanetId}`);
  if (contribution.status !== Status.Pending)
    fail("conflict", "already_final", `contribution ${verdict.contribution} is already ${statusName(contribution.status)}`);
  if (await chain.hasVoted(verdict.contribution, validator))
    fail("conflict", "already_voted", `${validator} has already voted on ${verdict.contribution}`);
  return { datanetId, signature };
}
