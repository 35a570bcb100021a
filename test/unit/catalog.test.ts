/**
 * ModelFactory's catalog of base models: Hugging Face folders read for family, parameters (safetensors
 * headers), license and the weights hash that goes on chain.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listModels, weightsHash } from "../../attestor/factory/src/catalog.js";

/** A real safetensors file: 8-byte header length, the JSON header, then the float32 data. */
function safetensors(tensors: Record<string, number[]>): Buffer {
  let offset = 0;
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  for (const [name, shape] of Object.entries(tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.alloc(offset, 1)]);
}

test("model folders are read for family, parameter count, license and name; other folders are not models", async () => {
  const dir = mkdtempSync(join(tmpdir(), "provena-models-"));
  try {
    const llama = join(dir, "tiny-llama");
    mkdirSync(llama);
    writeFileSync(join(llama, "config.json"), JSON.stringify({ model_type: "llama" }));
    writeFileSync(join(llama, "model-00001-of-00002.safetensors"), safetensors({ "embed.weight": [16, 8] }));
    writeFileSync(join(llama, "model-00002-of-00002.safetensors"), safetensors({ "q.weight": [8, 8], "q.bias": [8] }));
    writeFileSync(join(llama, "README.md"), "---\nlicense: apache-2.0\ntags: [test]\n---\n# Tiny\n");
    const gpt2 = join(dir, "gpt2-small");
    mkdirSync(gpt2);
    writeFileSync(join(gpt2, "config.json"), JSON.stringify({ model_type: "gpt2" }));
    writeFileSync(join(gpt2, "model.safetensors"), safetensors({ w: [3, 5] }));
    writeFileSync(join(gpt2, "provena.json"), JSON.stringify({ name: "openai-community/gpt2", license: "mit" }));
    mkdirSync(join(dir, "no-config"));
    writeFileSync(join(dir, "no-config", "model.safetensors"), safetensors({ w: [1] }));
    mkdirSync(join(dir, "no-weights"));
    writeFileSync(join(dir, "no-weights", "config.json"), JSON.stringify({ model_type: "phi" }));

    const models = listModels(dir);
    assert.deepEqual(
      models.map((m) => [m.id, m.name, m.family, m.parameters, m.license, m.weightFiles.length]),
      [
        ["gpt2-small", "openai-community/gpt2", "GPT-2", 15, "mit", 1],
        ["tiny-llama", "tiny-llama", "LLaMA", 16 * 8 + 64 + 8, "apache-2.0", 2],
      ],
    );
    const files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"];
    const expected = createHash("sha256")
      .update(files.map((f) => createHash("sha256").update(safetensorsOf(f)).digest("hex")).join(""))
      .digest("hex");
    function safetensorsOf(file: string) {
      return file.startsWith("model-00001") ? safetensors({ "embed.weight": [16, 8] }) : safetensors({ "q.weight": [8, 8], "q.bias": [8] });
    }
    assert.equal(await weightsHash(models[1]!), `0x${expected}`);
    assert.deepEqual(listModels(join(dir, "missing")), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
