/** @provena/gateway — The attestor's gateway: Sign-In with Ethereum, uploads (streamed, checked all-or-nothing, pinned), the unpin sweeper and /ipfs. */
export { type Auth, loopbackDomains } from "./auth/siwe.js";
export { type GatewayConfig, UPLOAD_DEFAULTS } from "./config.js";
export { createGatewayService } from "./service.js";
