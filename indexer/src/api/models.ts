/**
 * REST JSON for registered models: GET /models (filtered, by id, cursor-paged) and GET /models/:id
 * (with its children and its flag history). Mounted at /models by the API's entry point, whose error
 * handler answers the parameter errors thrown here.
 */
import { db } from "ponder:api";
import { attestor, model, modelFlag } from "ponder:schema";
import { Hono } from "hono";
import { and, asc, eq, gt, isNull } from "ponder";
import { hexToBytes, type Hex } from "viem";
import { cidToString } from "@provena/common";
import { checkNoQuery, parseModelId, parseModelsQuery, type ModelsQuery } from "./params";
import { answer, found, missing, num, pageOf, query } from "./reply";

type ModelRow = { model: typeof model.$inferSelect; attestor: typeof attestor.$inferSelect | null };

const uri = (cid: Hex) => cidToString(hexToBytes(cid));

const modelView = ({ model: row, attestor: signer }: ModelRow) => ({
  ...row,
  id: Number(row.id),
  adapterCidUri: uri(row.adapterCid),
  datasetCidUri: uri(row.datasetCid),
  configCidUri: uri(row.configCid),
  metricsCidUri: uri(row.metricsCid),
  datasetBlock: Number(row.datasetBlock),
  parentId: num(row.parentId),
  deadline: Number(row.deadline),
  // Revoking an attestor leaves its models registered: say so beside them.
  attestorActive: signer?.active ?? false,
  attestorRevokedAt: num(signer?.revokedAt ?? null),
  flagUpdatedAt: num(row.flagUpdatedAt),
  registeredAt: Number(row.registeredAt),
  registeredBlock: Number(row.registeredBlock),
});

const flagView = (row: typeof modelFlag.$inferSelect) => ({
  flagged: row.flagged,
  reason: row.reason,
  by: row.by,
  timestamp: Number(row.timestamp),
  blockNumber: Number(row.blockNumber),
  txHash: row.txHash,
});

/** Models with their attestor's standing. */
const modelRows = () => db.select({ model, attestor }).from(model).leftJoin(attestor, eq(attestor.address, model.attestor));

const filters = (params: ModelsQuery) =>
  and(
    params.creator === undefined ? undefined : eq(model.creator, params.creator),
    params.attestor === undefined ? undefined : eq(model.attestor, params.attestor),
    params.parent === undefined ? undefined : params.parent === 0n ? isNull(model.parentId) : eq(model.parentId, params.parent),
    params.flagged === undefined ? undefined : eq(model.flagged, params.flagged),
    params.after === undefined ? undefined : gt(model.id, params.after),
  );

export const models = new Hono();

models.get("/", async (c) => {
  const params = parseModelsQuery(query(c));
  return answer(c, async () => {
    const rows = await modelRows()
      .where(filters(params))
      .orderBy(asc(model.id))
      .limit(params.limit + 1);
    const { page, nextCursor } = pageOf(rows, params.limit, (row) => String(row.model.id));
    return found({ models: page.map(modelView), nextCursor });
  });
});

models.get("/:id", async (c) => {
  checkNoQuery(query(c));
  const id = parseModelId(c.req.param("id"), "id");
  return answer(c, async () => {
    const [row] = await modelRows().where(eq(model.id, id));
    if (!row) return missing(`no model ${id}`);
    const children = await db.select({ id: model.id }).from(model).where(eq(model.parentId, id)).orderBy(asc(model.id));
    const flags = await db.select().from(modelFlag).where(eq(modelFlag.modelId, id)).orderBy(asc(modelFlag.id));
    return found({ ...modelView(row), children: children.map((child) => Number(child.id)), flags: flags.map(flagView) });
  });
});
