/**
 * `npm run attestor`: the attestor on its own, configured by environment variables (`config.ts`).
 * Prints one JSON line `{"ready": true, "url": …}` when it listens, for whoever started it.
 */
import { loadConfig } from "./config.js";
import { createAttestor } from "./server.js";

const config = loadConfig();
const attestor = await createAttestor(config);
console.log(JSON.stringify({ ready: true, url: attestor.url, pid: process.pid, store: attestor.store.kind }));

let stopping = false;
const stop = async () => {
  // Ctrl-C reaches every process of the terminal's group, and npm and tsx relay it too: stop once.
  if (stopping) return;
  stopping = true;
  await attestor.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
