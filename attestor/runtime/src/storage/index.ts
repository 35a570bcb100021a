import { openHeliaStore } from "./helia.js";
import { openKuboStore } from "./kubo.js";
import type { ContentStore } from "./store.js";

export type StorageConfig = { ipfsApiUrl?: string; heliaDir: string };

/** Kubo when a URL is configured, else the embedded node. */
export const openStore = (config: StorageConfig): Promise<ContentStore> =>
  config.ipfsApiUrl ? openKuboStore(config.ipfsApiUrl) : openHeliaStore(config.heliaDir);

export type { ContentStore, ReadRange } from "./store.js";
export { readAll } from "./store.js";
