/**
 * The auditor's verifier: checks a registered model's provenance, or one contribution, from the chain (an
 * RPC node) and IPFS (an HTTP gateway) alone. It trusts neither the dataset manifest nor the gateway: every
 * fact is read from the chain's own state and logs, and every file fetched is checked against its CID here
 * (so a gateway that sends other bytes is caught), then against the SHA-256 the chain records.
 *
 * Runs in a browser as well as in Node: nothing here imports `node:` modules (the CLI, `./cli.ts`, is apart).
 * Logs are fetched in bulk over block ranges (halved when a node refuses a range) and indexed by id; RPC
 * reads go out in JSON-RPC batches; content is fetched with bounded concurrency.
 */
export {
  createVerifier,
  DEFAULT_GATEWAY,
  type CreateVerifierParameters,
  type CreateVerifierReturnType,
  type Verifier,
} from "./createVerifier.js";
export { VerifyError, type VerifyErrorKind, type VerifyErrorParameters } from "./errors.js";
export { parseContributionId, parseModelId } from "./ids.js";
export { verifyModel, type VerifyModelReturnType } from "./verifyModel.js";
export { verifyContribution, type VerifyContributionReturnType } from "./verifyContribution.js";
export { verifyAttestorSignature, type VerifyAttestorSignatureParameters } from "./checks/model.js";
export { fetchVerified, type FetchVerifiedReturnType } from "./fetch/fetchVerified.js";
export { summaryLines } from "./report/summary.js";
export type { Check, LeafFailure, Report } from "./report/types.js";
