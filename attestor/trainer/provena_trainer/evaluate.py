"""Held-out loss / perplexity, and predict mode (generation scored with ROUGE and BLEU)."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from . import metrics as gen_metrics
from .config import GenerationArgs, JobSpec
from .data import IGNORE, Example, collate, encode_records, load_records, render_chat, split_validation
from .errors import TrainerError
from .export import emit_artifact
from .protocol import Emitter


def loss_sum(model, batch: dict, device) -> torch.Tensor:
    """Summed next-token cross-entropy over supervised positions.

    Summing (not averaging) per micro-batch lets gradient accumulation divide by the token count
    of the whole accumulation window, so every token weighs the same whatever the batching.
    """
    with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=device.autocast):
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    logits = logits[:, :-1].float()
    labels = batch["labels"][:, 1:]
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=IGNORE, reduction="sum")


def to_device(batch: dict, device) -> dict:
    return {k: v.to(device.type) for k, v in batch.items()}


@torch.no_grad()
def heldout_loss(model, examples: list[Example], batch_size: int, pad_id: int, device) -> dict:
    was_training = model.training
    model.eval()
    total, tokens = 0.0, 0
    for k in range(0, len(examples), batch_size):
        batch = to_device(collate(examples[k : k + batch_size], pad_id), device)
        total += loss_sum(model, batch, device).item()
        tokens += int((batch["labels"][:, 1:] != IGNORE).sum())
    model.train(was_training)
    loss = total / max(tokens, 1)
    return {"loss": loss, "perplexity": math.exp(min(loss, 50.0)), "tokens": tokens}


def eval_examples(spec: JobSpec, tokenizer) -> tuple[list[Example], int]:
    """The held-out set: data.eval, else the validation split of data.train (same seed as
    training, so evaluate sees exactly the records a training run held out)."""
    if spec.data.eval:
        records = load_records(spec.data.eval)
    else:
        _, records = split_validation(load_records(spec.data.train), spec.data.validation_split, spec.training.seed)
    examples, _ = encode_records(tokenizer, records, spec.data.cutoff_len)
    if not examples:
        raise TrainerError("empty_dataset", "the evaluation set is empty", field="data.eval")
    return examples, len(records)


def prompt_and_reference(record: dict, where: str) -> tuple[dict | str, str]:
    """{"prompt", "reference"} or {"messages", "reference"}; a conversation ending with an
    assistant turn uses that turn as the reference."""
    if not isinstance(record, dict):
        raise TrainerError("invalid_record", f"{where}: expected an object")
    messages = record.get("messages")
    reference = record.get("reference")
    if isinstance(messages, list) and messages and reference is None and messages[-1].get("role") == "assistant":
        messages, reference = messages[:-1], messages[-1].get("content")
    if not isinstance(reference, str):
        raise TrainerError("invalid_record", f"{where}: needs a string 'reference'")
    if isinstance(record.get("prompt"), str):
        return record["prompt"], reference
    if isinstance(messages, list) and messages:
        return {"messages": messages}, reference
    raise TrainerError("invalid_record", f"{where}: needs 'prompt' or 'messages'")


def encode_prompt(tokenizer, prompt) -> list[int]:
    if isinstance(prompt, str):
        return tokenizer(prompt, add_special_tokens=True)["input_ids"]
    text = render_chat(tokenizer, prompt["messages"], add_generation_prompt=True)
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def sampling_kwargs(gen: GenerationArgs) -> dict:
    if gen.temperature == 0:
        return {"do_sample": False}
    return {"do_sample": True, "temperature": gen.temperature, "top_p": gen.top_p, "top_k": gen.top_k}


@torch.no_grad()
def generate(model, tokenizer, ids: list[int], gen: GenerationArgs, device, **extra) -> list[int]:
    if gen.seed is not None:
        torch.manual_seed(gen.seed)
    input_ids = torch.tensor([ids], device=device.type)
    out = model.generate(
        input_ids=input_ids,
        attention_mask=torch.ones_like(input_ids),
        max_new_tokens=gen.max_new_tokens,
        repetition_penalty=gen.repetition_penalty,
        pad_token_id=tokenizer.pad_token_id,
        **sampling_kwargs(gen),
        **extra,
    )
    return out[0, len(ids) :].tolist()


def predict(model, tokenizer, spec: JobSpec, device, emitter: Emitter, out: Path) -> dict:
    records = load_records_any(spec.data.predict)
    if not records:
        raise TrainerError("empty_dataset", "the prediction set is empty", field="data.predict")
    model.eval()
    rows, predictions, references = [], [], []
    for n, record in enumerate(records, 1):
        prompt, reference = prompt_and_reference(record, f"{spec.data.predict} record {n}")
        ids = encode_prompt(tokenizer, prompt)[-spec.data.cutoff_len :]
        new = generate(model, tokenizer, ids, spec.generation, device)
        text = tokenizer.decode(new, skip_special_tokens=True).strip()
        predictions.append(text)
        references.append(reference)
        rows.append({"prompt": prompt, "reference": reference, "prediction": text})
    scores = gen_metrics.score(predictions, references)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "predictions.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    emitter.emit("eval", step=None, split="predict", records=len(records), metrics=scores)
    emit_artifact(emitter, path, "predictions")
    return scores


def load_records_any(path: str) -> list:
    """Prediction records have their own shape ({prompt, reference}); only JSON is checked here."""
    p = Path(path)
    if not p.is_file():
        raise TrainerError("data_not_found", f"dataset file not found: {path}")
    text = p.read_text(encoding="utf-8")
    try:
        if text.lstrip().startswith("["):
            return json.loads(text)
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise TrainerError("invalid_record", f"{path}: not valid JSON: {exc}") from exc


def run(spec: JobSpec, mode: str, emitter: Emitter) -> dict:
    """evaluate / predict: base model, or base + spec.adapter."""
    from .model import count_params, family_of, fit_context, load_adapter, load_base_model, load_tokenizer, pick_device, read_model_type, resolve_model_dir, set_threads

    start = time.time()
    set_threads()
    path = resolve_model_dir(spec.model)
    family = family_of(read_model_type(path))
    device = pick_device("lora")
    tokenizer = load_tokenizer(path, spec.model)
    fit_context(spec, path, emitter)
    model = load_base_model(path, spec.model, device)
    if spec.adapter:
        model = load_adapter(model, spec.adapter, trainable=False)
    model.eval()
    total, _ = count_params(model)
    out = Path(spec.output_dir)
    if mode == "evaluate":
        examples, n_records = eval_examples(spec, tokenizer)
        emitter.emit("started", mode=mode, model=path, family=family, method="lora" if spec.adapter else "none",
                     device=device.type, dtype=str(device.dtype).removeprefix("torch."), total_params=total,
                     trainable_params=0, eval_records=n_records)
        result = heldout_loss(model, examples, spec.training.batch_size, tokenizer.pad_token_id, device)
        metrics = {"loss": result["loss"], "perplexity": result["perplexity"]}
        emitter.emit("eval", step=None, split="eval", records=n_records, metrics=metrics)
    else:
        emitter.emit("started", mode=mode, model=path, family=family, method="lora" if spec.adapter else "none",
                     device=device.type, dtype=str(device.dtype).removeprefix("torch."), total_params=total, trainable_params=0)
        metrics = predict(model, tokenizer, spec, device, emitter, out)
    emitter.emit("done", mode=mode, elapsed_s=time.time() - start, output_dir=str(out), metrics=metrics)
    return metrics
