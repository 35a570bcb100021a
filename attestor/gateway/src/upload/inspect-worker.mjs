// The inspection thread's entry: a worker does not inherit tsx's loader when the attestor runs under `tsx`,
// so it loads the TypeScript module through tsx's API.
import { tsImport } from "tsx/esm/api";

await tsImport("./inspect-worker.ts", import.meta.url);
