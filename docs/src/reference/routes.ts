/**
 * The HTTP API reference, generated from the route definitions in the code (the attestor's services and
 * the indexer's API), so that it cannot drift: a route without a note here, or a note for a route the code
 * no longer has, fails the docs test (test/e2e/docs.test.ts).
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";

export type Route = { server: "attestor" | "indexer"; method: string; path: string; file: string };

/** Where the routes are defined, and the prefix each file's routes are mounted under. */
const ROUTE_FILES: { server: Route["server"]; file: string; prefix: string }[] = [
  { server: "attestor", file: "attestor/src/server.ts", prefix: "" },
  { server: "attestor", file: "attestor/gateway/src/service.ts", prefix: "" },
  { server: "attestor", file: "attestor/validator/src/service.ts", prefix: "" },
  { server: "attestor", file: "attestor/factory/src/service.ts", prefix: "" },
  { server: "indexer", file: "indexer/src/api/index.ts", prefix: "" },
  { server: "indexer", file: "indexer/src/api/models.ts", prefix: "/models" },
  { server: "indexer", file: "indexer/src/api/lag.ts", prefix: "" },
];

/** What each route does, by "SERVER METHOD path". */
export const ROUTE_NOTES: Record<string, string> = {
  "attestor GET /health":
    "Liveness and what the attestor runs: its store (helia or kubo), chain id, validator and relayer addresses, the validator's backlog (`following` false when it lags the head) and upload load.",
  "attestor GET /auth/nonce": "A fresh Sign-In with Ethereum nonce and its expiry (`SIWE_NONCE_TTL_SECONDS`).",
  "attestor POST /auth/verify":
    "`{message, signature}`: an EIP-4361 message for one of the configured domains, this chain and an unused nonce, signed by the account (or its EIP-1271 wallet) → `{token, address, expiresAt}`. Send the token as `Authorization: Bearer <token>`.",
  "attestor POST /auth/logout": "Ends the session of the bearer token sent.",
  "attestor GET /datanets/:id/allowance":
    "`?address=0x…`: today's allowance on chain for that contributor in the Datanet (bytes and files left, reset time), what its uploads not yet contributed reserve, what a new upload may still take, the per-file limit and whether the address may contribute.",
  "attestor POST /datanets/:id/uploads":
    "Signed in; multipart/form-data, up to 20 files. Each file's type is sniffed from its bytes and checked against the Datanet's modality, the size limit, duplicates on chain and near-duplicates, and the whole batch against today's allowance: all accepted (201, the `contribute` arguments and an upload receipt) or none (each refusal named per file).",
  "attestor GET /uploads/:id":
    "An upload's files and each one's standing: not contributed yet (pinned), pending, accepted, rejected, or expired (unpinned).",
  "attestor GET /ipfs/:cid": "Content by CID from the attestor's node (HEAD too; byte ranges; every block checked against its hash).",
  "attestor POST /verdicts":
    "One or up to 100 EIP-712-signed verdicts from validators, queued for the relay, which batches them into `submitVerdicts` (202). Each is checked as the contract will check it before it is queued.",
  "attestor GET /verdicts/:contribution":
    "The relay's queue for a contribution: each validator's verdict and its state (queued, sent, landed, failed with the reason).",
  "attestor GET /assessments/:contribution":
    "The automatic validator's assessment of a contribution: the measures, the score, the reason and the explanation it signed.",
  "attestor GET /models":
    "ModelFactory's catalog: the base models this attestor can fine-tune (family, parameters, license, weights hash).",
  "attestor POST /jobs":
    "Signed in: a training job over the Accepted contributions of text Datanets (LoRA, QLoRA or full fine-tuning) → 201 the queued job.",
  "attestor GET /jobs": "Training jobs, newest first (`?creator=0x…` for one wallet's).",
  "attestor GET /jobs/:id": "A job's state, metrics, errors and, once published, its model id.",
  "attestor GET /jobs/:id/events":
    "A job's progress as server-sent events (status, step with loss and learning rate, eval, checkpoint, artifact, done, error), replayed from `Last-Event-ID` or `?after=`.",
  "attestor POST /jobs/:id/cancel":
    "The job's creator: drops a queued job, or stops a running one at its next micro-batch with a final checkpoint.",
  "attestor POST /jobs/:id/publish":
    "The job's creator: pins the adapter, training record, metrics and dataset manifest and registers the attestor-signed record on ModelRegistry.",
  "attestor POST /jobs/:id/evaluate": "The job's creator: loss and perplexity of the adapter and of its base model on the held-out split.",
  "attestor POST /chat":
    "Signed in: streaming chat (server-sent events) with a fine-tune or a base model, side by side with `compare: true`.",
  "indexer GET /leaderboard":
    "Contributors ranked by the quality of what was accepted: `?datanet=` (one Datanet's board), `?window=all|day|week`, `?limit=` (1–100), `?cursor=` (the `nextCursor` of the previous page).",
  "indexer GET /contributors/:address": "A contributor's standing: totals, rank and per-Datanet statistics.",
  "indexer GET /datanets":
    "Datanets in id order with their metadata (name, modality, summary, tags, license), validators and quorum: `?limit=`, `?after=`.",
  "indexer GET /datanets/:id": "One Datanet: its settings, validators, quorum, caps and resolved metadata.",
  "indexer GET /contributions":
    "Contributions, newest first: `?datanet=`, `?contributor=`, `?status=pending|accepted|rejected`, `?limit=`, `?cursor=`.",
  "indexer GET /contributions/:id":
    "One contribution: its file (SHA-256, CID, size, type), status, votes with reasons, and its finalization.",
  "indexer GET /models": "Registered models with their attestor's standing, newest first.",
  "indexer GET /models/:id": "One registered model: its base, dataset (root, size, block, CID), artifacts, attestor, parent and flags.",
  "indexer GET /lag":
    "200 while the indexer follows the chain, 503 when it lags the head by more than its bounds: indexed block, head and lag.",
};

/** `.get("/x"`, `.post("/x"`, `.on(["GET", "HEAD"], "/x"` as written in the route files. */
const ROUTE = /\.(get|post|put|patch|delete)\(\s*"([^"]+)"|\.on\(\s*\[([^\]]+)\],\s*"([^"]+)"/g;

/** Hono's path with its regular-expression constraints dropped: `/uploads/:id{[0-9a-f]{32}}` → `/uploads/:id`. */
const plainPath = (path: string) => path.replace(/\{(?:[^{}]|\{[^{}]*\})*\}/g, "");

export function scanRoutes(root: string): Route[] {
  const routes: Route[] = [];
  for (const { server, file, prefix } of ROUTE_FILES) {
    const source = readFileSync(join(root, file), "utf8");
    for (const match of source.matchAll(ROUTE)) {
      const methods = match[1] ? [match[1].toUpperCase()] : [...match[3]!.matchAll(/"(\w+)"/g)].map((m) => m[1]!);
      const raw = match[2] ?? match[4]!;
      const path = plainPath(`${prefix}${raw === "/" && prefix ? "" : raw}`);
      // GET and HEAD together are documented once, as GET.
      const method = methods.includes("GET") ? "GET" : methods[0]!;
      routes.push({ server, method, path, file: relative(root, join(root, file)) });
    }
  }
  return routes;
}

export const routeKey = (route: Pick<Route, "server" | "method" | "path">) => `${route.server} ${route.method} ${route.path}`;

/** The reference page. */
export function apiReference(root: string, urls: { attestor: string; indexer: string }): string {
  const routes = scanRoutes(root);
  const table = (server: Route["server"]) =>
    routes
      .filter((route) => route.server === server)
      .map((route) => `| \`${route.method} ${route.path}\` | ${ROUTE_NOTES[routeKey(route)] ?? "(undocumented)"} | \`${route.file}\` |`)
      .join("\n");
  return `# HTTP API reference

Every route the attestor and the indexer serve, generated from their route definitions. Errors are JSON
\`{"error": {"code", "message", "details"?}}\`: the code is stable and names the problem, the message says it
in words. The attestor is at ${urls.attestor} and the indexer at ${urls.indexer} on the local stack.

## Attestor

Sign in first for the routes marked "signed in" (\`GET /auth/nonce\`, sign the EIP-4361 message with the
wallet, \`POST /auth/verify\`), then send \`Authorization: Bearer <token>\`.

| route | what | defined in |
| --- | --- | --- |
${table("attestor")}

## Indexer

Read-only, from the chain's events (Ponder). GraphQL is at \`/graphql\` as well; SQL over HTTP is not served.

| route | what | defined in |
| --- | --- | --- |
${table("indexer")}
`;
}
