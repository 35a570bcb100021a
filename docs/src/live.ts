/**
 * Live data for agents, read where it lives: the indexer's REST API (Datanets, contributions, leaderboards,
 * models), the attestor (allowances, the automatic validator's assessments) and, for verify_model, the
 * chain and IPFS through the verifier. Nothing is cached or kept here; every answer is the source's own.
 */
import { createVerifier, summaryLines, verifyModel } from "@provena/verify";
import type { Deployment } from "@provena/common";
import { DocsError } from "./errors.js";

export type LiveOptions = { indexerUrl: string; attestorUrl: string; deployment?: Deployment | undefined; rpcUrl?: string | undefined };

const TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 1_048_576;

/** GET a JSON document; a 404 is `undefined` when `missingOk`, any other failure a DocsError naming the service. */
async function getJson(
  base: string,
  path: string,
  query: Record<string, string | number | undefined> = {},
  missingOk = false,
): Promise<unknown> {
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: "application/json" } });
  } catch (error) {
    throw new DocsError("unavailable", "service_unreachable", `${url.origin} did not answer: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  const text = await response.text();
  if (text.length > MAX_ANSWER_BYTES)
    throw new DocsError("upstream", "answer_too_large", `${url.origin}${url.pathname} answered more than ${MAX_ANSWER_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DocsError("upstream", "not_json", `${url.origin}${url.pathname} answered ${response.status} without JSON`);
  }
  if (response.status === 404 && missingOk) return undefined;
  if (!response.ok) {
    // The attestor answers `{error: <code>, message}`, others `{error: {code, message}}`.
    const { error, message } = body as { error?: { code?: string; message?: string } | string; message?: string };
    const code = typeof error === "string" ? error : (error?.code ?? `http_${response.status}`);
    const text = message ?? (typeof error === "object" ? error?.message : undefined) ?? JSON.stringify(body);
    const kind = response.status === 404 ? "not_found" : response.status < 500 ? "invalid" : "upstream";
    throw new DocsError(kind, code, text);
  }
  return body;
}

const positiveId = (value: number | string, what: string) => {
  const text = String(value);
  if (!/^[1-9]\d{0,18}$/.test(text)) throw new DocsError("invalid", "bad_id", `${what} must be a positive integer, not "${text}"`);
  return text;
};

export function createLive(options: LiveOptions) {
  const indexer = (path: string, query?: Record<string, string | number | undefined>, missingOk?: boolean) =>
    getJson(options.indexerUrl, path, query, missingOk);
  const attestor = (path: string, query?: Record<string, string | number | undefined>, missingOk?: boolean) =>
    getJson(options.attestorUrl, path, query, missingOk);

  return {
    listDatanets: (params: { limit?: number | undefined; after?: number | undefined }) => indexer("/datanets", params),
    getDatanet: (id: number) => indexer(`/datanets/${positiveId(id, "id")}`),
    getLeaderboard: (params: {
      datanet?: number | undefined;
      window?: string | undefined;
      limit?: number | undefined;
      cursor?: string | undefined;
    }) => indexer("/leaderboard", params),
    async getContribution(id: string) {
      if (!/^0x[0-9a-fA-F]{64}$/.test(id))
        throw new DocsError("invalid", "bad_id", `a contribution id is 0x and 64 hex digits, not "${id}"`);
      const [contribution, assessment] = await Promise.all([
        indexer(`/contributions/${id}`),
        attestor(`/assessments/${id}`, {}, true).catch(() => undefined),
      ]);
      return { ...(contribution as object), assessment: assessment ?? null };
    },
    getAllowance: (datanet: number, address: string) => {
      if (!/^0x[0-9a-fA-F]{40}$/.test(address))
        throw new DocsError("invalid", "bad_address", `an address is 0x and 40 hex digits, not "${address}"`);
      return attestor(`/datanets/${positiveId(datanet, "datanet")}/allowance`, { address });
    },
    getModel: (id: number) => indexer(`/models/${positiveId(id, "id")}`),
    async verifyModel(id: number) {
      positiveId(id, "id");
      if (!options.deployment)
        throw new DocsError(
          "unavailable",
          "no_deployment",
          "the docs server has no deployment file (PROVENA_DEPLOYMENT): it cannot verify models",
        );
      const verifier = await createVerifier({
        deployment: options.deployment,
        ...(options.rpcUrl ? { rpcUrl: options.rpcUrl } : {}),
        gateway: options.attestorUrl,
      }).catch((error: Error) => {
        throw new DocsError("unavailable", "chain_unreachable", error.message, undefined, { cause: error });
      });
      const report = await verifyModel(verifier, BigInt(id));
      return { ok: report.ok, summary: summaryLines(report, options.attestorUrl), report };
    },
  };
}

export type Live = ReturnType<typeof createLive>;
