/** @provena/validator — The automatic validator (quality measures and judgements) and the verdict relay. */
export type { ValidatorConfig } from "./config.js";
export { createValidatorService } from "./service.js";
export { FOLLOWER_BOUNDS, followerError, type FollowerLag } from "./follower.js";
