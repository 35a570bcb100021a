/** What a published model record says about paths: this machine's become the base model's name and relative paths. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { portable, withBaseModel } from "../../attestor/factory/src/provenance/portable.js";

const local = { "/srv/provena/models/tiny-gpt2": "sshleifer/tiny-gpt2", "/srv/provena/state/jobs/7": "." };

test("absolute paths of this machine become the base model's name and paths relative to the job's folder", () => {
  const spec = {
    model: { path: "/srv/provena/models/tiny-gpt2", trust_remote_code: false },
    data: { train: "/srv/provena/state/jobs/7/dataset.jsonl", eval: null },
    output_dir: "/srv/provena/state/jobs/7/out",
    artifacts: [{ path: "/srv/provena/state/jobs/7/out/adapter/adapter_model.safetensors", bytes: 10 }],
    note: "loaded from /srv/provena/models/tiny-gpt2 in 2 s",
    epochs: 3,
  };
  assert.deepEqual(portable(spec, local), {
    model: { path: "sshleifer/tiny-gpt2", trust_remote_code: false },
    data: { train: "dataset.jsonl", eval: null },
    output_dir: "out",
    artifacts: [{ path: "out/adapter/adapter_model.safetensors", bytes: 10 }],
    note: "loaded from sshleifer/tiny-gpt2 in 2 s",
    epochs: 3,
  });
  assert.ok(!JSON.stringify(portable(spec, local)).includes("/srv/"));
});

test("an adapter config names its base model by name", () => {
  const config = { base_model_name_or_path: "/srv/provena/models/tiny-gpt2", r: 8, peft_type: "LORA" };
  assert.deepEqual(withBaseModel(config, "sshleifer/tiny-gpt2"), {
    base_model_name_or_path: "sshleifer/tiny-gpt2",
    r: 8,
    peft_type: "LORA",
  });
});
