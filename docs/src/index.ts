/**
 * @provena/docs — Provena's documentation as a queryable knowledge layer: pages as HTML and Markdown,
 * `?ask=` answers quoted with their sources, /llms.txt and /llms-full.txt, a read-only MCP server with live
 * data tools, and ingestion of external documentation sites (GitBook's shape).
 */
export { type Answer, ask, checkQuestion, type Excerpt, MAX_QUESTION_CHARS, NOT_IN_DOCS_BELOW } from "./ask.js";
export { DEFAULT_DOCS_PORT, type DocsConfig, docsConfigFromEnv } from "./config.js";
export { DocsError, type DocsErrorKind } from "./errors.js";
export { createGenerator, type Generated, type GeneratorOptions, groundedMessages } from "./generate.js";
export { defaultSourceName, type IngestParameters, type IngestReport, ingestSite } from "./ingest.js";
export { GUIDES, type Library, loadLibrary } from "./library.js";
export { agentSection, llmsFullTxt, llmsTxt } from "./llms.js";
export { MCP_TOOLS, RESOURCE_SCHEME } from "./mcp.js";
export { anchorOf, type Page, type Section, sectionsOf } from "./pages.js";
export { apiReference, ROUTE_NOTES, routeKey, scanRoutes } from "./reference/routes.js";
export { documentedEnvironment, environmentReference, scanEnvironment } from "./reference/environment.js";
export { contractsReference, natSpecOf } from "./reference/contracts.js";
export { buildIndex, type SearchIndex, terms } from "./search.js";
export { type DocsServer, startDocsServer } from "./server.js";
