/**
 * Every page the docs serve, loaded once per change: the guides (Markdown under docs/guides/), the
 * references generated from the code (HTTP API, configuration, contracts), the README and the benchmarks,
 * and the pages of ingested sites (DOCS_SOURCES_DIR). The search index is rebuilt with them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { firstParagraph, OWN_SOURCE, type Page, titleOf } from "./pages.js";
import { apiReference } from "./reference/routes.js";
import { contractsReference } from "./reference/contracts.js";
import { environmentReference } from "./reference/environment.js";
import { buildIndex, type SearchIndex } from "./search.js";
import { readSources, sourcesStamp } from "./sources.js";

/** The guides, in reading order: one per role, then the operator's and the deployment. */
export const GUIDES = [
  ["overview", "What Provena is, the roles, and where each part runs"],
  ["contributor", "Sign in, check a file against a Datanet, upload, contribute, follow the verdicts"],
  ["validator", "Judge contributions with signed EIP-712 verdicts, through the relay or on chain"],
  ["datanet-owner", "Create a Datanet, set its validators, quorum, caps and allow-list, transfer it"],
  ["model-builder", "Fine-tune a base model on accepted data with ModelFactory and publish its provenance"],
  ["auditor", "Verify a model or a contribution from the chain and IPFS alone"],
  ["operator", "Run the stack: npm start, the services, health, limits and where state lives"],
  ["deployment", "Deploy the contracts to a real L2 and run the services against it"],
  ["agents", "Query these docs and the live data: .md pages, ?ask=, llms.txt and MCP"],
] as const;

export type Library = { pages: Page[]; bySlug: Map<string, Page>; index: SearchIndex; sources: string[] };

export type LibraryOptions = { root: string; sourcesDir: string; urls: { attestor: string; indexer: string; docs: string } };

const read = (path: string) => readFileSync(path, "utf8");

function ownPages({ root, urls }: LibraryOptions): Page[] {
  const own = (slug: string, group: Page["group"], markdown: string, summary?: string): Page => ({
    slug,
    title: titleOf(markdown) ?? slug,
    summary: summary ?? firstParagraph(markdown),
    markdown,
    source: OWN_SOURCE,
    group,
  });
  const guides = GUIDES.map(([name, summary]) => own(`guides/${name}`, "Guides", read(join(root, "docs/guides", `${name}.md`)), summary));
  const references = [
    own(
      "reference/http-api",
      "Reference",
      apiReference(root, urls),
      "Every route of the attestor and the indexer, with its parameters and answers",
    ),
    own("reference/configuration", "Reference", environmentReference(root), "Every environment variable, its default and what reads it"),
  ];
  // The contracts reference needs the build (npm run build); without it the page says so.
  const artifacts = existsSync(join(root, "artifacts/contracts"));
  references.push(
    own(
      "reference/contracts",
      "Reference",
      artifacts ? contractsReference(root) : "# Contracts reference\n\nThe contracts are not built here: run `npm run build`.\n",
      "DatanetRegistry, ContributionLedger and ModelRegistry: every function, event and error, from the ABIs and NatSpec",
    ),
  );
  const optional = [
    own(
      "readme",
      "Optional",
      read(join(root, "README.md")),
      "The project's README: the two commands, configuration, architecture, security",
    ),
    own(
      "benchmarks",
      "Optional",
      read(join(root, "docs/benchmarks.md")),
      "Measured figures of every benchmark, with the command that produced them",
    ),
  ];
  return [...guides, ...references, ...optional];
}

export function loadLibrary(options: LibraryOptions): Library {
  const sources = readSources(options.sourcesDir);
  const pages = [...ownPages(options), ...sources.flatMap((source) => source.pages)];
  return { pages, bySlug: new Map(pages.map((page) => [page.slug, page])), index: buildIndex(pages), sources: sources.map((s) => s.name) };
}

/** The library, loaded again when an ingestion has changed the sources since (checked at most once a second). */
export function liveLibrary(options: LibraryOptions): () => Library {
  let library = loadLibrary(options);
  let stamp = sourcesStamp(options.sourcesDir);
  let checked = Date.now();
  return () => {
    if (Date.now() - checked < 1_000) return library;
    checked = Date.now();
    const now = sourcesStamp(options.sourcesDir);
    if (now !== stamp) {
      library = loadLibrary(options);
      stamp = now;
    }
    return library;
  };
}
