/** `npm run docs`: the docs server alone, on the settings from the environment; prints one JSON line when it listens. */
import { docsConfigFromEnv } from "./config.js";
import { startDocsServer } from "./server.js";

const server = await startDocsServer(docsConfigFromEnv());
console.log(JSON.stringify({ ready: true, url: server.url, llms: `${server.url}/llms.txt`, mcp: `${server.url}/mcp` }));
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
