/**
 * A benchmark fixture: a Ponder app with the indexer's own configuration (the very `ponder.config.ts`
 * and the settings module it reads, copied verbatim: same chain, contracts, ABIs, start blocks and
 * database settings) but an empty handler for every event of its ABIs, one empty table and an empty
 * API. What it costs to index is what Ponder itself costs: the baseline `bench-indexer.ts` compares with.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Abi } from "viem";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const indexerDir = join(repo, "indexer");

/** Files of the real app the configuration needs, copied as they are. */
const CONFIG_FILES = ["ponder.config.ts", "src/settings.ts"];

/**
 * Writes the no-op app into a fresh temporary directory; `abis` are the contracts the configuration
 * names (an empty handler goes to each of their events). Returns the directory and a remover.
 */
export function writeNoopApp(abis: Record<string, Abi>): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), "provena-noop-indexer-"));
  try {
    const config = readFileSync(join(indexerDir, "ponder.config.ts"), "utf8");
    for (const name of Object.keys(abis)) {
      if (!config.includes(`${name}: {`)) throw new Error(`indexer/ponder.config.ts has no contract ${name}: update the no-op fixture`);
    }
    for (const file of CONFIG_FILES) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      cpSync(join(indexerDir, file), join(root, file));
    }
    // Packages resolve from the repository's node_modules, exactly as the real app's do.
    symlinkSync(join(repo, "node_modules"), join(root, "node_modules"), "dir");
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "provena-noop-indexer", private: true, type: "module" }));
    writeFileSync(
      join(root, "ponder.schema.ts"),
      `import { onchainTable } from "ponder";\nexport const noop = onchainTable("noop", (t) => ({ id: t.text().primaryKey() }));\n`,
    );
    const handlers = Object.entries(abis).flatMap(([contract, abi]) =>
      abi.flatMap((item) => (item.type === "event" ? [`ponder.on(${JSON.stringify(`${contract}:${item.name}`)}, async () => {});`] : [])),
    );
    writeFileSync(join(root, "src", "index.ts"), [`import { ponder } from "ponder:registry";`, ...handlers, ""].join("\n"));
    mkdirSync(join(root, "src", "api"));
    writeFileSync(join(root, "src", "api", "index.ts"), `import { Hono } from "hono";\nexport default new Hono();\n`);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
