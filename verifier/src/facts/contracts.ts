/** The deployment's three contracts as viem contract parameters, and the role an attestor needs. */
import { contributionLedgerAbi, datanetRegistryAbi, modelRegistryAbi } from "@provena/common";
import { keccak256, toHex } from "viem";
import type { Verifier } from "../createVerifier.js";

export const ledgerOf = (ctx: Verifier) =>
  ({ address: ctx.deployment.contracts.ContributionLedger.address, abi: contributionLedgerAbi }) as const;
export const registryOf = (ctx: Verifier) =>
  ({ address: ctx.deployment.contracts.DatanetRegistry.address, abi: datanetRegistryAbi }) as const;
export const modelsOf = (ctx: Verifier) => ({ address: ctx.deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi }) as const;

export const ATTESTOR_ROLE = keccak256(toHex("ATTESTOR_ROLE"));
