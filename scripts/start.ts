/**
 * `npm start`: the whole local stack on embedded defaults.
 * A Hardhat node on 127.0.0.1, every contract deployed with Ignition, the deployment file written,
 * a demo seeded (unless --no-seed), the attestor (embedded IPFS, upload gateway, automatic validator
 * and verdict relay), the indexer and its API on the chain it made, and the docs server; then it stays
 * up until Ctrl-C.
 *   PROVENA_HOST (127.0.0.1), PROVENA_RPC_PORT (8545; 0 picks a free port), PROVENA_INDEXER_PORT
 *   (42069; 0 picks a free port), ATTESTOR_PORT (8788; 0 picks a free port), DOCS_PORT (8789; 0 picks a
 *   free port), PROVENA_DATA_DIR (./data),
 *   and the attestor's other variables (attestor/src/config.ts). Its validator and relayer key defaults to
 *   Hardhat development account #10.
 * The stack itself is scripts/lib/local-stack.ts (shared with `npm run soak`). GET /lag on the indexer
 * says whether it follows the chain (503 with the reason when it does not); Ponder's /ready does not.
 * `npm start` builds first (npm's `prestart`: the contracts, then the typed ABIs in common/src/generated),
 * because the modules imported below need that build before this file can even be loaded.
 */
import { deploymentPath } from "@provena/common/node";
import { startLocalStack, type LocalStack } from "./lib/local-stack.js";
import { standing } from "./seed.js";

const host = process.env.PROVENA_HOST ?? "127.0.0.1";
const port = Number(process.env.PROVENA_RPC_PORT ?? 8545);
const seed = !process.argv.includes("--no-seed");
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PROVENA_RPC_PORT must be a port number (0-65535), not "${process.env.PROVENA_RPC_PORT}"`);
  process.exit(2);
}

let stack: LocalStack | undefined;
let stopping = false;
const stop = async (signal: string) => {
  // Ctrl-C reaches every process of the terminal's group, and npm and tsx relay it too: stop once.
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the docs server, the indexer, the attestor and the node`);
  await stack?.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));

stack = await startLocalStack({ host, port, seed });
const { attestor, attestorConfig, deployment, docs, indexer, rpcUrl, wsUrl } = stack;
const now = await standing(stack.publicClient, deployment);
console.log(`
Provena local stack
  chain       ${deployment.chainId} at ${rpcUrl} (websocket ${wsUrl})
  registry    ${deployment.contracts.DatanetRegistry.address}
  ledger      ${deployment.contracts.ContributionLedger.address}
  models      ${deployment.contracts.ModelRegistry.address}
  deployment  ${deploymentPath()}
  attestor    ${attestor.url}  (sign-in, POST /datanets/:id/uploads, /ipfs/:cid, POST /verdicts; GET /health; storage: ${attestor.store.kind})
  validator   ${attestor.validator?.address ?? "none"} (automatic, on every demo Datanet; relayer ${attestor.relay?.address ?? "none"}; signs model provenance)
  models      ${attestor.models().length} base models in ${attestorConfig.factory.modelsDir} (MODELS_DIR): ModelFactory at POST /jobs and /chat
  indexer     ${indexer.url}  (GET /leaderboard, /contributors/:address, /datanets, /contributions; GraphQL at /graphql; following the chain: GET /lag)
  docs        ${docs.url}/docs  (every page also as .md, ?ask=<question>; ${docs.url}/llms.txt; MCP at ${docs.url}/mcp)
  demo        ${
    seed
      ? `${now.datanets} Datanets, ${now.contributions} contributions (${now.accepted} accepted, ${now.rejected} rejected, ${now.pending} pending)`
      : "not seeded (--no-seed)"
  }
  accounts    Hardhat's development accounts (mnemonic "test test … junk"); #0 holds the admin roles
Ready. Ctrl-C stops everything.`);
