/**
 * `npm run docs:ingest -- <url> [--name <name>] [--dir <folder>]`: reads an external documentation site in
 * GitBook's shape (llms.txt and each page's .md, or llms-full.txt) into a named knowledge source under
 * DOCS_SOURCES_DIR, which the docs server's ?ask= and MCP search too. Prints what changed; exit 1 on failure.
 */
import { parseArgs } from "node:util";
import { DocsError, docsConfigFromEnv, ingestSite } from "@provena/docs";

const USAGE = "usage: npm run docs:ingest -- <url> [--name <name>] [--dir <folder>] [--json]";

try {
  const { values, positionals } = parseArgs({
    options: { name: { type: "string" }, dir: { type: "string" }, json: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new DocsError("invalid", "usage", USAGE);
  const sourcesDir = values.dir ?? docsConfigFromEnv().sourcesDir;
  const report = await ingestSite({ url: positionals[0]!, name: values.name, sourcesDir });
  console.log(
    `${report.name}: ${report.pages} pages from ${report.url}${report.from} — ${report.added.length} added, ${report.updated.length} updated, ` +
      `${report.unchanged} unchanged, ${report.removed.length} removed, ${report.missing.length} missing (${report.seconds} s)`,
  );
  for (const missing of report.missing) console.log(`  missing: ${missing.url}: ${missing.error}`);
  if (values.json) console.log(JSON.stringify(report));
} catch (error) {
  console.error(error instanceof DocsError || error instanceof TypeError ? `docs:ingest: ${error.message}` : error);
  process.exit(error instanceof DocsError && error.code === "usage" ? 2 : 1);
}
