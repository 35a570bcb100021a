import type { Address } from "viem";
import type { Verifier } from "../createVerifier.js";
import { ATTESTOR_ROLE, modelsOf } from "./contracts.js";

/** Whether `attestor` held `ATTESTOR_ROLE` at block `at` and still holds it at `head`. */
export async function attestorRole(ctx: Verifier, attestor: Address, at: bigint, head: bigint): Promise<{ then: boolean; now: boolean }> {
  const models = modelsOf(ctx);
  const [then, now] = await Promise.all([
    ctx.client.readContract({ ...models, functionName: "hasRole", args: [ATTESTOR_ROLE, attestor], blockNumber: at }),
    ctx.client.readContract({ ...models, functionName: "hasRole", args: [ATTESTOR_ROLE, attestor], blockNumber: head }),
  ]);
  return { then, now };
}
