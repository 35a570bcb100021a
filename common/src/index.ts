export * from "./fileTypes.js";
export * from "./limits.js";
export * from "./verdicts.js";
export * from "./codes.js";
export * from "./cid.js";
export * from "./deployment.js";
