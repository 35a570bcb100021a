/** @provena/attestor: the attestor's services composed on one Hono app, and its settings from the environment. */
export { type Attestor, createAttestor } from "./server.js";
export { type AttestorConfig, loadConfig } from "./config.js";
