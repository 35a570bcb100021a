/** @provena/factory — ModelFactory: base-model catalog, the training job store and runner, datasets and their manifests, publishing provenance, the worker process, chat, and the one accelerator lock. */
export { DEFAULT_FACTORY_LIMITS, type ChatLimits, type FactoryConfig, type FactoryLimits } from "./config.js";
export { collectDataset } from "./provenance/dataset.js";
export { publishModel, type PublishContext } from "./provenance/publish.js";
export { createFactoryService } from "./service.js";
