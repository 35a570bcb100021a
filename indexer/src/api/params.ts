/**
 * Query parameters of the REST API, parsed strictly: a bad or unknown parameter is an error that names
 * it, never silently ignored or defaulted.
 */
import { getAddress, isAddress, type Address } from "viem";
import { decodeCursor, type RankKey } from "@provena/common";

export const WINDOWS = { all: undefined, "7d": 7, "30d": 30 } as const;
export type Window = keyof typeof WINDOWS;
export const STATUSES = ["pending", "accepted", "rejected"] as const;
export type Status = (typeof STATUSES)[number];
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;
const MAX_DATANET_ID = 2 ** 32 - 1;

export class ParameterError extends Error {
  constructor(
    readonly parameter: string,
    problem: string,
  ) {
    super(`${parameter}: ${problem}`);
  }
}

type Query = Record<string, string | undefined>;

const checkKnown = (query: Query, known: readonly string[]) => {
  for (const name of Object.keys(query)) {
    if (!known.includes(name)) throw new ParameterError(name, `unknown parameter (expected one of: ${known.join(", ")})`);
  }
};

export const parseDatanetId = (raw: string, parameter = "datanet"): bigint => {
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_DATANET_ID) {
    throw new ParameterError(parameter, `must be a Datanet id (an integer from 1 to ${MAX_DATANET_ID}), not "${raw}"`);
  }
  return BigInt(raw);
};

export const parseAddress = (raw: string, parameter: string): Address => {
  if (!isAddress(raw, { strict: false })) throw new ParameterError(parameter, `must be a 0x-prefixed 20-byte address, not "${raw}"`);
  return getAddress(raw).toLowerCase() as Address;
};

const parseLimit = (raw: string | undefined): number => {
  if (raw === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw new ParameterError("limit", `must be an integer from 1 to ${MAX_LIMIT}, not "${raw}"`);
  }
  return Number(raw);
};

export type LeaderboardQuery = { datanet?: bigint; window: Window; limit: number; cursor?: RankKey };

export const parseLeaderboardQuery = (query: Query): LeaderboardQuery => {
  checkKnown(query, ["datanet", "window", "limit", "cursor"]);
  const window = query.window ?? "all";
  if (!(window in WINDOWS)) throw new ParameterError("window", `must be one of ${Object.keys(WINDOWS).join(", ")}, not "${window}"`);
  let cursor: RankKey | undefined;
  if (query.cursor !== undefined) {
    cursor = decodeCursor(query.cursor);
    if (!cursor) throw new ParameterError("cursor", "is not a cursor this API returned (pass nextCursor unchanged)");
  }
  return {
    ...(query.datanet !== undefined ? { datanet: parseDatanetId(query.datanet) } : {}),
    window: window as Window,
    limit: parseLimit(query.limit),
    ...(cursor ? { cursor } : {}),
  };
};

/** Contributions are listed newest first; the cursor is the position of the last one returned. */
export type ContributionCursor = { order: bigint; batchIndex: number };
export const encodeContributionCursor = (cursor: ContributionCursor): string =>
  Buffer.from(`${cursor.order}.${cursor.batchIndex}`).toString("base64url");

export type ContributionsQuery = { datanet?: bigint; contributor?: Address; status?: Status; limit: number; cursor?: ContributionCursor };

export const parseContributionsQuery = (query: Query): ContributionsQuery => {
  checkKnown(query, ["datanet", "contributor", "status", "limit", "cursor"]);
  if (query.status !== undefined && !(STATUSES as readonly string[]).includes(query.status)) {
    throw new ParameterError("status", `must be one of ${STATUSES.join(", ")}, not "${query.status}"`);
  }
  let cursor: ContributionCursor | undefined;
  if (query.cursor !== undefined) {
    const match = /^(\d{1,30})\.(\d{1,2})$/.exec(Buffer.from(query.cursor, "base64url").toString("utf8"));
    if (!match) throw new ParameterError("cursor", "is not a cursor this API returned (pass nextCursor unchanged)");
    cursor = { order: BigInt(match[1]!), batchIndex: Number(match[2]) };
  }
  return {
    ...(query.datanet !== undefined ? { datanet: parseDatanetId(query.datanet) } : {}),
    ...(query.contributor !== undefined ? { contributor: parseAddress(query.contributor, "contributor") } : {}),
    ...(query.status !== undefined ? { status: query.status as Status } : {}),
    limit: parseLimit(query.limit),
    ...(cursor ? { cursor } : {}),
  };
};

export type DatanetsQuery = { limit: number; after?: bigint };

export const parseDatanetsQuery = (query: Query): DatanetsQuery => {
  checkKnown(query, ["limit", "cursor"]);
  return {
    limit: parseLimit(query.limit),
    ...(query.cursor !== undefined ? { after: parseDatanetId(query.cursor, "cursor") } : {}),
  };
};

export const checkNoQuery = (query: Query) => checkKnown(query, []);

const MAX_MODEL_ID = 2n ** 256n - 1n;

/** A model id (uint256, counted from 1); `allowNone` also accepts 0, the record's "no parent". */
export const parseModelId = (raw: string, parameter: string, { allowNone = false } = {}): bigint => {
  const min = allowNone ? 0n : 1n;
  if (!/^\d{1,78}$/.test(raw) || BigInt(raw) < min || BigInt(raw) > MAX_MODEL_ID) {
    const what = allowNone ? "a model id, or 0 for none" : "a model id";
    throw new ParameterError(parameter, `must be ${what} (an integer from ${min} to 2^256 - 1), not "${raw}"`);
  }
  return BigInt(raw);
};

const parseBoolean = (raw: string, parameter: string): boolean => {
  if (raw !== "true" && raw !== "false") throw new ParameterError(parameter, `must be true or false, not "${raw}"`);
  return raw === "true";
};

/** `parent: 0n` asks for models that refine none. Models are listed by id; the cursor is the last id returned. */
export type ModelsQuery = { creator?: Address; attestor?: Address; parent?: bigint; flagged?: boolean; limit: number; after?: bigint };

export const parseModelsQuery = (query: Query): ModelsQuery => {
  checkKnown(query, ["creator", "attestor", "parent", "flagged", "limit", "cursor"]);
  return {
    ...(query.creator !== undefined ? { creator: parseAddress(query.creator, "creator") } : {}),
    ...(query.attestor !== undefined ? { attestor: parseAddress(query.attestor, "attestor") } : {}),
    ...(query.parent !== undefined ? { parent: parseModelId(query.parent, "parent", { allowNone: true }) } : {}),
    ...(query.flagged !== undefined ? { flagged: parseBoolean(query.flagged, "flagged") } : {}),
    limit: parseLimit(query.limit),
    ...(query.cursor !== undefined ? { after: parseModelId(query.cursor, "cursor") } : {}),
  };
};
