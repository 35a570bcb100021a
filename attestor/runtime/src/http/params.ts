/** Path and query parameters: checked and typed, or refused by name. */
import type { Context } from "hono";
import { routePath } from "hono/route";
import { type Address, isAddress } from "viem";
import { fail } from "../errors.js";

/** The raw path of a request, percent-encoding kept: routes and ids are matched on what was sent. */
export const rawPath = (request: Request) => new URL(request.url).pathname;

/** A path parameter as sent (Hono's `param` would percent-decode it, and `/jobs/%31` would be job 1). */
export function pathParam(c: Context, name: string): string {
  const index = routePath(c)
    .split("/")
    .findIndex((segment) => segment === `:${name}` || segment.startsWith(`:${name}{`));
  return rawPath(c.req.raw).split("/")[index] ?? "";
}

export const contributionOf = (text: string) => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) fail("invalid", "invalid_contribution", `"${text}" is not a contribution id (32-byte hex)`);
  return text.toLowerCase() as `0x${string}`;
};

export const datanetIdOf = (text: string): bigint => {
  if (!/^\d{1,10}$/.test(text)) fail("invalid", "invalid_datanet", `"${text}" is not a Datanet id`);
  return BigInt(text);
};

export const jobIdOf = (text: string) => {
  if (!/^\d{1,12}$/.test(text)) fail("invalid", "invalid_job", `"${text}" is not a job id`);
  return Number(text);
};

export const addressOf = (text: string, message: string): Address => {
  if (!isAddress(text)) fail("invalid", "invalid_address", message);
  return text as Address;
};
