/**
 * The base models ModelFactory can fine-tune: one Hugging Face-format folder each under the models folder
 * (`MODELS_DIR`). Family from `config.json`'s `model_type`, parameter count from the safetensors headers,
 * license from `provena.json` or the model card's front matter, and the weights hash that goes on chain:
 * SHA-256 over the weight files' SHA-256s (hex, in file-name order), computed once per file version.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, openSync, readFileSync, readSync, closeSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Hex } from "viem";

export type BaseModel = {
  /** The folder's name: what a job names. */
  id: string;
  /** The name that goes on chain (its keccak256 is the record's `baseModelId`). */
  name: string;
  family: string;
  modelType: string;
  parameters: number | null;
  license: string;
  weightFiles: string[];
  path: string;
};

const FAMILIES: Record<string, string> = {
  gpt2: "GPT-2",
  llama: "LLaMA",
  mistral: "Mistral",
  mixtral: "Mistral",
  qwen2: "Qwen",
  qwen3: "Qwen",
  qwen3_moe: "Qwen",
  deepseek_v2: "DeepSeek",
  deepseek_v3: "DeepSeek",
  bloom: "BLOOM",
  glm: "GLM",
  glm4: "GLM",
  chatglm: "GLM",
  falcon: "Falcon",
  gemma: "Gemma",
  gemma2: "Gemma",
  gemma3_text: "Gemma",
  phi: "Phi",
  phi3: "Phi",
};

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const WEIGHTS = /\.(safetensors|bin)$/;

const readJson = (path: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** Elements in a safetensors file, from its header alone (8-byte length, then JSON). */
function safetensorsParameters(path: string): number | undefined {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(8);
    if (readSync(fd, head, 0, 8, 0) !== 8) return undefined;
    const length = Number(head.readBigUInt64LE(0));
    if (length <= 0 || length > 100_000_000) return undefined;
    const json = Buffer.alloc(length);
    if (readSync(fd, json, 0, length, 8) !== length) return undefined;
    const header = JSON.parse(json.toString("utf8")) as Record<string, { shape?: number[] }>;
    let total = 0;
    for (const [name, tensor] of Object.entries(header)) {
      if (name !== "__metadata__") total += (tensor.shape ?? []).reduce((product, size) => product * size, 1);
    }
    return total;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** `license:` from a model card's YAML front matter. */
function cardLicense(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const card = readFileSync(path, "utf8");
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(card)?.[1];
  return front ? /^license:\s*["']?([^"'\r\n]+)["']?\s*$/m.exec(front)?.[1]?.trim() : undefined;
}

/** One model folder, or undefined when it is not a Hugging Face causal LM folder. */
export function readModel(dir: string, id: string): BaseModel | undefined {
  if (!MODEL_ID.test(id)) return undefined;
  const path = join(dir, id);
  const config = readJson(join(path, "config.json"));
  if (!config || typeof config.model_type !== "string") return undefined;
  const weightFiles = readdirSync(path)
    .filter((file) => WEIGHTS.test(file))
    .sort();
  if (weightFiles.length === 0) return undefined;
  const own = readJson(join(path, "provena.json")) ?? {};
  const counts = weightFiles.filter((file) => file.endsWith(".safetensors")).map((file) => safetensorsParameters(join(path, file)));
  const parameters =
    counts.length > 0 && counts.length === weightFiles.length && counts.every((n) => n !== undefined)
      ? counts.reduce((a, b) => a! + b!, 0)!
      : null;
  return {
    id,
    name: typeof own.name === "string" ? own.name : id,
    family: FAMILIES[config.model_type] ?? config.model_type,
    modelType: config.model_type,
    parameters,
    license: typeof own.license === "string" ? own.license : (cardLicense(join(path, "README.md")) ?? "unknown"),
    weightFiles,
    path,
  };
}

/** Every model under `dir`, by id. A missing folder is an empty catalog. */
export function listModels(dir: string): BaseModel[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
    .map((entry) => readModel(dir, entry.name))
    .filter((model): model is BaseModel => model !== undefined)
    .sort((a, b) => a.id.localeCompare(b.id));
}

const fileDigest = (path: string) =>
  new Promise<string>((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });

const digests = new Map<string, Promise<string>>();

/** SHA-256 over the weight files' SHA-256s (lowercase hex, file-name order); each file hashed once per size and mtime. */
export async function weightsHash(model: BaseModel): Promise<Hex> {
  const parts = await Promise.all(
    model.weightFiles.map((file) => {
      const path = join(model.path, file);
      const { size, mtimeMs } = statSync(path);
      const key = `${path}:${size}:${mtimeMs}`;
      if (!digests.has(key)) digests.set(key, fileDigest(path));
      return digests.get(key)!;
    }),
  );
  return `0x${createHash("sha256").update(parts.join("")).digest("hex")}`;
}
