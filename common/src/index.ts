/**
 * The browser-safe entry point: every protocol rule, pure. What needs Node (`node:crypto` hashing, the
 * deployment file on disk) is `@provena/common/node`.
 */
export * from "./fileTypes.js";
export * from "./limits.js";
export * from "./verdicts.js";
export * from "./receipts.js";
export * from "./codes.js";
export * from "./cid.js";
export * from "./deployment.js";
export * from "./models.js";
export * from "./manifest.js";
export * from "./logs.js";
export * from "./random.js";
export * from "./mapLimit.js";
export * from "./ranking.js";
export * from "./generated/abis.js";
