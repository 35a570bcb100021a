import type { Hex } from "viem";

/** ModelFactory: training jobs, publishing, chat. */
export type FactoryConfig = {
  /** Signs model provenance records (needs ATTESTOR_ROLE on ModelRegistry); defaults to the validator's key. */
  attestorKey?: Hex;
  /** ModelFactory's base models: one Hugging Face folder each. */
  modelsDir: string;
};
