"""The job spec: hyperparameters as dataclasses, parsed strictly from JSON.

Every field has a default close to the field's usual one, so a spec needs little more than a
model path, a dataset and an output directory. Unknown fields are errors: a typo must not
silently train with a default.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from .errors import TrainerError


@dataclass
class ModelArgs:
    # Hugging Face-format local directory (config.json + weights + tokenizer files), or a hub id
    # when the machine is online.
    path: str = ""
    trust_remote_code: bool = False


@dataclass
class DataArgs:
    # JSON-lines (or a JSON array) of {"text": ...} or {"messages": [{"role", "content"}...]}.
    train: Optional[str] = None
    # Held-out records; when absent, `validation_split` carves them out of `train`.
    eval: Optional[str] = None
    # Records with a prompt ({"prompt"} or {"messages"} ending in a user turn) and a "reference".
    predict: Optional[str] = None
    cutoff_len: int = 1024
    # Concatenate records into full rows of cutoff_len tokens (no padding waste).
    packing: bool = False
    # Fraction (0..1) of the training records held out for evaluation.
    validation_split: float = 0.0


@dataclass
class FinetuningArgs:
    method: Literal["lora", "qlora", "full"] = "lora"
    lora_rank: int = 8
    lora_alpha: float = 16.0
    lora_dropout: float = 0.05
    # None: the family's default modules (model.py); ["all-linear"] targets every linear layer.
    lora_target: Optional[list[str]] = None
    # Full fine-tuning keeps weights, gradients and two Adam moments in memory: refuse above this.
    full_max_params: int = 1_500_000_000


@dataclass
class TrainingArgs:
    learning_rate: float = 2e-4
    epochs: float = 3.0
    # When > 0, overrides epochs.
    max_steps: int = 0
    batch_size: int = 4
    gradient_accumulation_steps: int = 1
    scheduler: Literal["cosine", "linear", "constant"] = "cosine"
    warmup_ratio: float = 0.0
    # When > 0, overrides warmup_ratio.
    warmup_steps: int = 0
    weight_decay: float = 0.0
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-8
    max_grad_norm: float = 1.0
    seed: int = 42
    logging_steps: int = 1
    # 0: evaluate only at the end (when there is an evaluation set).
    eval_steps: int = 0
    # 0: checkpoint only on cancellation.
    save_steps: int = 0


@dataclass
class GenerationArgs:
    max_new_tokens: int = 256
    # 0 means greedy decoding.
    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 50
    repetition_penalty: float = 1.0
    stop: list[str] = field(default_factory=list)
    # Sampling seed; None draws from the running generator.
    seed: Optional[int] = None


@dataclass
class ExportArgs:
    # Also write base + adapter merged into plain weights (model.safetensors).
    merge: bool = False


@dataclass
class ServeArgs:
    # name -> adapter directory, all loaded over the one base model.
    adapters: dict[str, str] = field(default_factory=dict)


@dataclass
class JobSpec:
    model: ModelArgs = field(default_factory=ModelArgs)
    data: DataArgs = field(default_factory=DataArgs)
    finetuning: FinetuningArgs = field(default_factory=FinetuningArgs)
    training: TrainingArgs = field(default_factory=TrainingArgs)
    generation: GenerationArgs = field(default_factory=GenerationArgs)
    export: ExportArgs = field(default_factory=ExportArgs)
    serve: ServeArgs = field(default_factory=ServeArgs)
    output_dir: Optional[str] = None
    # Checkpoint directory to continue an interrupted run of the same spec.
    resume_from: Optional[str] = None
    # Earlier adapter: the starting point of a refinement (train) or the adapter under test
    # (evaluate/predict).
    adapter: Optional[str] = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _bad_type(path: str, expected: str, value) -> TrainerError:
    return TrainerError("invalid_spec", f"{path}: expected {expected}, got {json.dumps(value)}", field=path)


def _convert(tp, value, path: str):
    """Checks (and minimally converts) a JSON value against a dataclass field type."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _convert(args[0], value, path)
    if origin is Literal:
        if value not in typing.get_args(tp):
            choices = ", ".join(map(str, typing.get_args(tp)))
            raise TrainerError("invalid_hyperparameter", f"{path}: {value!r} is not one of {choices}", field=path)
        return value
    if origin is list:
        if not isinstance(value, list):
            raise _bad_type(path, "a list", value)
        (item,) = typing.get_args(tp)
        return [_convert(item, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _bad_type(path, "an object", value)
        _, item = typing.get_args(tp)
        return {str(k): _convert(item, v, f"{path}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, path)
    if tp is bool:
        if not isinstance(value, bool):
            raise _bad_type(path, "true or false", value)
        return value
    if tp is int:
        # JSON has one number type; 3.0 is accepted as 3, 3.5 is not.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
            raise _bad_type(path, "an integer", value)
        return int(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _bad_type(path, "a finite number", value)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise _bad_type(path, "a string", value)
        return value
    raise TypeError(f"unsupported field type {tp}")


def from_dict(cls, data, path: str = "spec"):
    if not isinstance(data, dict):
        raise _bad_type(path, "an object", data)
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise TrainerError("invalid_spec", f"{path}: unknown field(s) {', '.join(unknown)}", field=f"{path}.{unknown[0]}")
    kwargs = {k: _convert(hints[k], v, f"{path}.{k}" if path != "spec" else k) for k, v in data.items()}
    return cls(**kwargs)


def _require(ok: bool, path: str, rule: str, value) -> None:
    if not ok:
        raise TrainerError("invalid_hyperparameter", f"{path} must be {rule}, got {value!r}", field=path)


def validate_generation(g: "GenerationArgs", prefix: str) -> None:
    """Sampling ranges: for a spec's defaults and for each serve request alike."""
    _require(g.max_new_tokens >= 1, f"{prefix}.max_new_tokens", ">= 1", g.max_new_tokens)
    _require(g.temperature >= 0, f"{prefix}.temperature", ">= 0", g.temperature)
    _require(0 < g.top_p <= 1, f"{prefix}.top_p", "in (0, 1]", g.top_p)
    _require(g.top_k >= 0, f"{prefix}.top_k", ">= 0", g.top_k)
    _require(g.repetition_penalty > 0, f"{prefix}.repetition_penalty", "> 0", g.repetition_penalty)


def validate(spec: JobSpec, mode: str) -> None:
    """Range checks; type checks already happened while parsing."""
    if not spec.model.path:
        raise TrainerError("invalid_spec", "model.path is required", field="model.path")
    d, f, t, g = spec.data, spec.finetuning, spec.training, spec.generation
    _require(d.cutoff_len >= 8, "data.cutoff_len", ">= 8", d.cutoff_len)
    _require(0.0 <= d.validation_split < 1.0, "data.validation_split", "in [0, 1)", d.validation_split)
    _require(f.lora_rank >= 1, "finetuning.lora_rank", ">= 1", f.lora_rank)
    _require(f.lora_alpha > 0, "finetuning.lora_alpha", "> 0", f.lora_alpha)
    _require(0.0 <= f.lora_dropout < 1.0, "finetuning.lora_dropout", "in [0, 1)", f.lora_dropout)
    _require(f.lora_target is None or len(f.lora_target) > 0, "finetuning.lora_target", "null or non-empty", f.lora_target)
    _require(0 < t.learning_rate < 1.0, "training.learning_rate", "in (0, 1)", t.learning_rate)
    _require(t.epochs > 0 or t.max_steps > 0, "training.epochs", "> 0 (or max_steps > 0)", t.epochs)
    _require(t.max_steps >= 0, "training.max_steps", ">= 0", t.max_steps)
    _require(t.batch_size >= 1, "training.batch_size", ">= 1", t.batch_size)
    _require(t.gradient_accumulation_steps >= 1, "training.gradient_accumulation_steps", ">= 1", t.gradient_accumulation_steps)
    _require(0.0 <= t.warmup_ratio < 1.0, "training.warmup_ratio", "in [0, 1)", t.warmup_ratio)
    _require(t.warmup_steps >= 0, "training.warmup_steps", ">= 0", t.warmup_steps)
    _require(t.weight_decay >= 0, "training.weight_decay", ">= 0", t.weight_decay)
    _require(0 <= t.adam_beta1 < 1 and 0 <= t.adam_beta2 < 1, "training.adam_beta1/2", "in [0, 1)", (t.adam_beta1, t.adam_beta2))
    _require(t.adam_epsilon > 0, "training.adam_epsilon", "> 0", t.adam_epsilon)
    _require(t.max_grad_norm >= 0, "training.max_grad_norm", ">= 0 (0 disables clipping)", t.max_grad_norm)
    _require(t.seed >= 0, "training.seed", ">= 0", t.seed)
    for name in ("logging_steps", "eval_steps", "save_steps"):
        _require(getattr(t, name) >= 0, f"training.{name}", ">= 0", getattr(t, name))
    validate_generation(g, "generation")
    if mode in ("train", "evaluate", "predict") and not spec.output_dir:
        raise TrainerError("invalid_spec", f"output_dir is required for {mode}", field="output_dir")
    if mode == "train" and not d.train:
        raise TrainerError("invalid_spec", "data.train is required for train", field="data.train")
    if mode == "predict" and not d.predict:
        raise TrainerError("invalid_spec", "data.predict is required for predict", field="data.predict")
    if mode == "evaluate" and not (d.eval or d.train):
        raise TrainerError("invalid_spec", "data.eval (or data.train with validation_split) is required", field="data.eval")


def load_spec(source, mode: str) -> JobSpec:
    """Parses a spec from a path, a JSON string or a dict, and validates it for `mode`."""
    if isinstance(source, dict):
        raw = source
    else:
        text = str(source)
        if not text.lstrip().startswith("{"):
            if not Path(text).is_file():
                raise TrainerError("invalid_spec", f"spec file not found: {text}")
            text = Path(text).read_text()
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TrainerError("invalid_spec", f"spec is not valid JSON: {exc}") from exc
    spec = from_dict(JobSpec, raw)
    validate(spec, mode)
    return spec
