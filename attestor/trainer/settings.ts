// Generated from attestor/trainer/provena_trainer/protocol.schema.json by attestor/trainer/tools/schema_ts.py.
// Do not edit: change the schema and regenerate (a test checks they match).

/** What a job's creator chooses (POST /jobs settings): the spec's hyperparameter sections, never paths; the attestor fills in the rest of the JobSpec. Each section's fields with the worker's defaults. */
export const JOB_SETTINGS = {
  finetuning: {
    method: "lora",
    lora_rank: 8,
    lora_alpha: 16.0,
    lora_dropout: 0.05,
    lora_target: null,
  },
  training: {
    learning_rate: 0.0002,
    epochs: 3.0,
    max_steps: 0,
    batch_size: 4,
    gradient_accumulation_steps: 1,
    scheduler: "cosine",
    warmup_ratio: 0.0,
    warmup_steps: 0,
    weight_decay: 0.0,
    adam_beta1: 0.9,
    adam_beta2: 0.999,
    adam_epsilon: 1e-08,
    max_grad_norm: 1.0,
    seed: 42,
    logging_steps: 1,
    eval_steps: 0,
    save_steps: 0,
    save_total_limit: 2,
  },
  data: {
    cutoff_len: 1024,
    packing: false,
    validation_split: 0.0,
  },
  export: {
    merge: false,
  },
} as const;
