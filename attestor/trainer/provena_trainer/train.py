"""The training loop: supervised fine-tuning with LoRA, QLoRA or all weights.

Written out rather than delegated to transformers' Trainer so that every step is reported on
the protocol, cancellation lands on a step boundary, packing wastes no compute on padding, and
a resumed run replays exactly the batches and random numbers the uninterrupted run would have.
"""

from __future__ import annotations

import json
import logging
import math
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from . import export
from .config import GUARDS, MAX_STEPS, JobSpec, guard
from .data import IGNORE, collate, data_digest, encode_records, epoch_batches, load_records, pack, split_validation
from .errors import TrainerError
from .evaluate import heldout_loss, loss_sum, to_device
from .model import (
    add_lora, base_weights_bytes, check_qlora_supported, count_params, family_of, fit_context, load_adapter, load_base_model,
    load_tokenizer, pick_device, read_model_type, resolve_model_dir, set_threads,
)
from .protocol import Emitter

log = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "provena-trainer-checkpoint/1"


@dataclass
class TrainResult:
    model: object
    tokenizer: object
    output_dir: Path
    steps: int
    metrics: dict
    artifacts: list[dict] = field(default_factory=list)
    cancelled: bool = False


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def lr_factor(step: int, warmup: int, total: int, kind: str) -> float:
    """Multiplier of the peak learning rate for optimizer step `step` (0-based)."""
    if step < warmup:
        # (step + 1): the first step already learns instead of spending a step at lr 0.
        return (step + 1) / (warmup + 1)
    if kind == "constant":
        return 1.0
    progress = (step - warmup) / max(1, total - warmup)
    if kind == "linear":
        return max(0.0, 1.0 - progress)
    return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))


def build_optimizer(model, spec: JobSpec):
    t = spec.training
    params = [p for p in model.parameters() if p.requires_grad]
    # Weight decay on matrices only: decaying biases and norm gains hurts and helps nothing.
    groups = [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": t.weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(
        [g for g in groups if g["params"]], lr=t.learning_rate, betas=(t.adam_beta1, t.adam_beta2), eps=t.adam_epsilon
    )


def prepare_model(spec: JobSpec, path: str, family: str, device):
    method = spec.finetuning.method
    if method == "qlora":
        check_qlora_supported(device)
    model = load_base_model(path, spec.model, device, quantize_4bit=method == "qlora")
    if method == "full":
        total, _ = count_params(model)
        limit = guard("full_max_params")
        if total > limit:
            raise TrainerError(
                "model_too_large",
                f"full fine-tuning of {total:,} parameters exceeds this worker's limit of {limit:,} "
                f"({GUARDS['full_max_params'].env}); use LoRA",
                field="finetuning.method",
            )
        if spec.adapter:
            raise TrainerError("invalid_spec", "adapter (refine) needs method lora or qlora", field="adapter")
        model.requires_grad_(True)
        return model
    if method == "qlora":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    if spec.adapter:
        return load_adapter(model, spec.adapter, trainable=True)
    return add_lora(model, family, spec.finetuning)


def trainable_state(model) -> dict[str, torch.Tensor]:
    return {n: p.detach().contiguous().cpu() for n, p in model.named_parameters() if p.requires_grad}


def save_checkpoint(ckpt: Path, model, optimizer, scheduler, step: int, rng: dict) -> None:
    tmp = ckpt.with_name(ckpt.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    save_file(trainable_state(model), str(tmp / "trainable.safetensors"))
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": rng}, tmp / "state.pt")
    (tmp / "checkpoint.json").write_text(json.dumps({"format": CHECKPOINT_FORMAT, "step": step}))
    # Rename last, so a checkpoint directory is either complete or absent.
    if ckpt.exists():
        import shutil

        shutil.rmtree(ckpt)
    tmp.rename(ckpt)


def prune_checkpoints(folder: Path, keep: int) -> None:
    """Keeps the `keep` latest checkpoints of a run (by step) and deletes the rest, and any half-written
    one (.tmp) an interrupted run left: checkpoints cost disk, and resuming needs only the latest."""
    import shutil

    done = sorted((p for p in folder.glob("step-*") if p.is_dir() and p.name[5:].isdigit()), key=lambda p: int(p.name[5:]))
    for stale in done[:-keep] + [p for p in folder.glob("step-*.tmp") if p.is_dir()]:
        shutil.rmtree(stale, ignore_errors=True)


def load_checkpoint(ckpt: Path, model, optimizer, scheduler) -> tuple[int, dict]:
    meta = ckpt / "checkpoint.json"
    if not meta.is_file() or json.loads(meta.read_text()).get("format") != CHECKPOINT_FORMAT:
        raise TrainerError("checkpoint_not_found", f"{ckpt} is not a checkpoint of this worker", field="resume_from")
    tensors = load_file(str(ckpt / "trainable.safetensors"))
    params = dict(model.named_parameters())
    if set(tensors) != {n for n, p in params.items() if p.requires_grad}:
        raise TrainerError("checkpoint_not_found", f"{ckpt} was written for other trainable weights (different method, rank or targets)", field="resume_from")
    with torch.no_grad():
        for name, value in tensors.items():
            params[name].copy_(value)
    state = torch.load(ckpt / "state.pt", weights_only=False)
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    return json.loads(meta.read_text())["step"], state["rng"]


def rng_state() -> dict:
    state = {"torch": torch.get_rng_state(), "python": random.getstate(), "numpy": np.random.get_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def load_training_data(spec: JobSpec, tokenizer, emitter: Emitter):
    records = load_records(spec.data.train)
    train_records, eval_records = split_validation(records, spec.data.validation_split, spec.training.seed)
    if spec.data.eval:
        eval_records = load_records(spec.data.eval)
    train, report = encode_records(tokenizer, train_records, spec.data.cutoff_len)
    evals, _ = encode_records(tokenizer, eval_records, spec.data.cutoff_len)
    if report.truncated:
        emitter.emit("warning", code="records_truncated", count=report.truncated,
                     message=f"{report.truncated} record(s) longer than cutoff_len={spec.data.cutoff_len} tokens were truncated")
    if report.skipped:
        emitter.emit("warning", code="records_skipped", count=report.skipped,
                     message=f"{report.skipped} record(s) had no learnable tokens within cutoff_len and were skipped")
    if not train:
        raise TrainerError("empty_dataset", f"no usable training record in {spec.data.train}", field="data.train")
    return records, train, evals, report, len(eval_records)


def train(spec: JobSpec, emitter: Emitter, cancel: threading.Event | None = None) -> TrainResult:
    start_time = time.time()
    cancel = cancel or threading.Event()
    t = spec.training
    threads = set_threads()
    path = resolve_model_dir(spec.model)
    family = family_of(read_model_type(path))
    device = pick_device(spec.finetuning.method)
    seed_everything(t.seed)

    tokenizer = load_tokenizer(path, spec.model)
    fit_context(spec, path, emitter)
    records, train_examples, eval_examples, report, n_eval_records = load_training_data(spec, tokenizer, emitter)
    rows = pack(train_examples, spec.data.cutoff_len) if spec.data.packing else train_examples
    batches_per_epoch = math.ceil(len(rows) / t.batch_size)
    total_steps = t.max_steps or math.ceil(math.ceil(t.epochs * batches_per_epoch) / t.gradient_accumulation_steps)
    if total_steps > MAX_STEPS:
        # Each bound of epochs, batch_size and gradient_accumulation_steps holds, but not their product with the data.
        raise TrainerError("invalid_hyperparameter", f"training.epochs={t.epochs:g} over {len(rows)} rows makes {total_steps:,} "
                           f"optimizer steps, more than {MAX_STEPS:,}: lower epochs or set max_steps", field="training.epochs")
    warmup = t.warmup_steps or int(t.warmup_ratio * total_steps)

    model = prepare_model(spec, path, family, device)
    model.train()
    optimizer = build_optimizer(model, spec)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, warmup, total_steps, t.scheduler))

    step = 0
    if spec.resume_from:
        step, rng = load_checkpoint(Path(spec.resume_from), model, optimizer, scheduler)
        set_rng_state(rng)
    total, trainable = count_params(model)
    out = Path(spec.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    emitter.emit(
        "started", mode="train", model=path, family=family, method=spec.finetuning.method, device=device.type,
        dtype=str(device.dtype).removeprefix("torch."), total_params=total, trainable_params=trainable,
        total_steps=total_steps, train_records=len(records) - n_eval_records, eval_records=n_eval_records,
        train_tokens=sum(e.supervised for e in train_examples), truncated_records=report.truncated,
        resumed_from_step=step, base_weights_bytes=base_weights_bytes(model),
    )
    log.info("training %s (%s) on %s with %d threads: %d steps", path, family, device.type, threads, total_steps)

    pad_id = tokenizer.pad_token_id
    ga = t.gradient_accumulation_steps
    epoch_cache: dict[int, list] = {}

    def micro_batch(index: int):
        epoch, pos = divmod(index, batches_per_epoch)
        if epoch not in epoch_cache:
            epoch_cache.clear()
            epoch_cache[epoch] = epoch_batches(rows, t.batch_size, t.seed, epoch)
        return collate(epoch_cache[epoch][pos], pad_id)

    metrics: dict = {}
    log_loss, log_tokens, log_real, log_time = 0.0, 0, 0, 0.0
    run_start, first_step = time.time(), step
    while step < total_steps:
        snapshot = rng_state()
        step_start = time.time()
        batches = [micro_batch(step * ga + k) for k in range(ga)]
        window_tokens = sum(int((b["labels"][:, 1:] != IGNORE).sum()) for b in batches)
        optimizer.zero_grad(set_to_none=True)
        window_loss = 0.0
        for batch in batches:
            if cancel.is_set():
                break
            loss = loss_sum(model, to_device(batch, device), device)
            (loss / max(window_tokens, 1)).backward()
            window_loss += loss.item()
        if cancel.is_set():
            # The interrupted step's gradients are dropped; the checkpoint is the state after the
            # last completed step, with the random state as it was when this step began.
            ckpt = out / "checkpoints" / f"step-{step:06d}"
            save_checkpoint(ckpt, model, optimizer, scheduler, step, snapshot)
            prune_checkpoints(ckpt.parent, t.save_total_limit)
            emitter.emit("checkpoint", step=step, path=str(ckpt), final=True)
            raise TrainerError("cancelled", f"cancelled at step {step} of {total_steps}", checkpoint=str(ckpt))
        grad_norm = None
        if t.max_grad_norm > 0:
            grad_norm = float(torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], t.max_grad_norm))
        lr = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        step += 1

        log_loss += window_loss
        log_tokens += window_tokens
        log_real += sum(int(b["attention_mask"].sum()) for b in batches)
        log_time += time.time() - step_start
        if step % max(t.logging_steps, 1) == 0 or step == total_steps:
            done_here = step - first_step
            emitter.emit(
                "step", step=step, total_steps=total_steps, epoch=step * ga / batches_per_epoch,
                loss=log_loss / max(log_tokens, 1), learning_rate=lr, grad_norm=grad_norm,
                tokens_per_s=log_real / max(log_time, 1e-9),
                eta_s=(time.time() - run_start) / done_here * (total_steps - step),
            )
            metrics["train_loss"] = log_loss / max(log_tokens, 1)
            log_loss, log_tokens, log_real, log_time = 0.0, 0, 0, 0.0
        if eval_examples and ((t.eval_steps and step % t.eval_steps == 0) or step == total_steps):
            result = heldout_loss(model, eval_examples, t.batch_size, pad_id, device)
            metrics.update(eval_loss=result["loss"], eval_perplexity=result["perplexity"])
            emitter.emit("eval", step=step, split="eval", records=n_eval_records,
                         metrics={"loss": result["loss"], "perplexity": result["perplexity"]})
        if t.save_steps and step % t.save_steps == 0 and step < total_steps:
            ckpt = out / "checkpoints" / f"step-{step:06d}"
            save_checkpoint(ckpt, model, optimizer, scheduler, step, rng_state())
            prune_checkpoints(ckpt.parent, t.save_total_limit)
            emitter.emit("checkpoint", step=step, path=str(ckpt), final=False)

    model.eval()
    artifacts = finish(spec, model, tokenizer, path, family, records, metrics, step, out, emitter, device)
    emitter.emit("done", mode="train", steps=step, elapsed_s=time.time() - start_time, output_dir=str(out), metrics=metrics)
    return TrainResult(model, tokenizer, out, step, metrics, artifacts)


def finish(spec, model, tokenizer, path, family, records, metrics, step, out: Path, emitter: Emitter, device) -> list[dict]:
    """Exports the result and writes the manifest the attestor publishes."""
    weights_dir = out / ("model" if spec.finetuning.method == "full" else "adapter")
    artifacts = export.save_weights(model, tokenizer, weights_dir, emitter)
    if spec.export.merge and spec.finetuning.method != "full":
        merged_device = pick_device("full")
        artifacts += export.merge_and_save(
            lambda: load_base_model(path, spec.model, merged_device), weights_dir, tokenizer, out / "merged", emitter
        )
    manifest = {
        "spec": spec.to_dict(),
        "base_model": {"path": path, "family": family, "weights_sha256": export.weights_digest(path)},
        "parent_adapter": (
            {"path": spec.adapter, "sha256": export.sha256_file(Path(spec.adapter) / "adapter_model.safetensors")}
            if spec.adapter else None
        ),
        "data": {"records": len(records), "sha256": data_digest(records)},
        "artifacts": {Path(a["path"]).relative_to(out).as_posix(): a["sha256"] for a in artifacts},
        "metrics": metrics,
        "steps": step,
        "device": device.type,
        "torch_threads": torch.get_num_threads(),
        "libraries": export.library_versions(),
    }
    artifacts.append(export.write_manifest(out, manifest, emitter))
    return artifacts
