"""The job spec: hyperparameters as documented dataclasses, parsed strictly from JSON.

protocol.schema.json ($defs/JobSpec) describes the same spec for other languages; a test keeps
the two equal (names, types, defaults, help texts) and checks that this module enforces every
range the schema states. Every field has a default close to the field's usual one. Unknown
fields are errors: a typo must not silently train with a default.
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


def _arg(default=dataclasses.MISSING, help: str = "", **kwargs):
    """A hyperparameter with its help text, as in LLaMA-Factory's hparams; the same text is the
    field's description in protocol.schema.json ($defs/JobSpec), and a test keeps them equal."""
    return field(default=default, metadata={"help": help}, **kwargs)


@dataclass
class ModelArgs:
    """The base model."""

    path: str = _arg("", help="Hugging Face-format local directory (config.json + weights + tokenizer files), "
                     "or a hub id when the machine is online")
    trust_remote_code: bool = _arg(False, help="run the model's own Python code (needed by some families, e.g. ChatGLM)")


@dataclass
class DataArgs:
    """The records and how they become token rows."""

    train: Optional[str] = _arg(None, help='JSON-lines (or a JSON array) of {"text"} or {"messages": [{"role", "content"}]}; '
                                "required for train")
    eval: Optional[str] = _arg(None, help="held-out records; when absent, validation_split carves them out of train")
    predict: Optional[str] = _arg(None, help='records with a prompt ({"prompt"}, or {"messages"} ending in a user turn) and a '
                                  '"reference"; required for predict')
    cutoff_len: int = _arg(1024, help="tokens per record; longer records are truncated (and reported)")
    packing: bool = _arg(False, help="concatenate records into full rows of cutoff_len tokens (no padding waste)")
    validation_split: float = _arg(0.0, help="fraction of the training records held out for evaluation")


@dataclass
class FinetuningArgs:
    """What is trained."""

    method: Literal["lora", "qlora", "full"] = _arg("lora", help="qlora: 4-bit NF4 base, CUDA only")
    lora_rank: int = _arg(8, help="rank of the LoRA matrices")
    lora_alpha: float = _arg(16.0, help="LoRA scaling numerator (the update is scaled by lora_alpha / lora_rank)")
    lora_dropout: float = _arg(0.05, help="dropout on the LoRA input")
    lora_target: Optional[list[str]] = _arg(None, help='null: the family\'s default modules; ["all-linear"]: every linear '
                                            "layer; or module names")
    full_max_params: int = _arg(1_500_000_000, help="full fine-tuning keeps weights, gradients and two Adam moments in "
                                "memory: refused above this many parameters")


@dataclass
class TrainingArgs:
    """The optimization loop."""

    learning_rate: float = _arg(2e-4, help="peak learning rate (AdamW)")
    epochs: float = _arg(3.0, help="passes over the training records; must be > 0 unless max_steps is set")
    max_steps: int = _arg(0, help="when > 0, the number of optimizer steps, overriding epochs")
    batch_size: int = _arg(4, help="records per micro-batch")
    gradient_accumulation_steps: int = _arg(1, help="micro-batches per optimizer step")
    scheduler: Literal["cosine", "linear", "constant"] = _arg("cosine", help="learning-rate decay after warm-up")
    warmup_ratio: float = _arg(0.0, help="fraction of the steps spent warming up")
    warmup_steps: int = _arg(0, help="when > 0, warm-up steps, overriding warmup_ratio")
    weight_decay: float = _arg(0.0, help="AdamW weight decay, on matrices only")
    adam_beta1: float = _arg(0.9, help="AdamW first-moment decay")
    adam_beta2: float = _arg(0.999, help="AdamW second-moment decay")
    adam_epsilon: float = _arg(1e-8, help="AdamW denominator term")
    max_grad_norm: float = _arg(1.0, help="gradient clipping norm; 0 disables clipping")
    seed: int = _arg(42, help="seed of initialization, shuffling and dropout")
    logging_steps: int = _arg(1, help="a step message every this many steps")
    eval_steps: int = _arg(0, help="evaluate every this many steps; 0: only at the end (when there is an evaluation set)")
    save_steps: int = _arg(0, help="checkpoint every this many steps; 0: only on cancellation")


@dataclass
class GenerationArgs:
    """Sampling, for predict and as serve's defaults."""

    max_new_tokens: int = _arg(256, help="tokens generated at most")
    temperature: float = _arg(0.7, help="0 means greedy decoding")
    top_p: float = _arg(0.9, help="nucleus sampling mass")
    top_k: int = _arg(50, help="sample among this many likeliest tokens; 0: no limit")
    repetition_penalty: float = _arg(1.0, help="1 means none")
    stop: list[str] = _arg(help="strings that end a reply", default_factory=list)
    seed: Optional[int] = _arg(None, help="sampling seed; null draws from the running generator")


@dataclass
class ExportArgs:
    """What a training run writes besides the adapter."""

    merge: bool = _arg(False, help="also write base + adapter merged into plain weights (model.safetensors)")


@dataclass
class ServeArgs:
    """Serve mode's adapters."""

    adapters: dict[str, str] = _arg(help="name -> adapter directory, all loaded over the one base model", default_factory=dict)


@dataclass
class JobSpec:
    """One run of the worker: every section has defaults, so a spec needs little more than a model
    path, a dataset and an output directory."""

    model: ModelArgs = _arg(help="the base model", default_factory=ModelArgs)
    data: DataArgs = _arg(help="the records", default_factory=DataArgs)
    finetuning: FinetuningArgs = _arg(help="what is trained", default_factory=FinetuningArgs)
    training: TrainingArgs = _arg(help="the optimization loop", default_factory=TrainingArgs)
    generation: GenerationArgs = _arg(help="sampling", default_factory=GenerationArgs)
    export: ExportArgs = _arg(help="extra exports", default_factory=ExportArgs)
    serve: ServeArgs = _arg(help="serve mode's adapters", default_factory=ServeArgs)
    output_dir: Optional[str] = _arg(None, help="where artifacts, checkpoints and the manifest go; required for train, "
                                     "evaluate and predict")
    resume_from: Optional[str] = _arg(None, help="checkpoint directory (from a checkpoint message) to continue an "
                                      "interrupted run of the same spec")
    adapter: Optional[str] = _arg(None, help="earlier adapter: the starting point of a refinement (train) or the adapter "
                                  "under test (evaluate, predict)")

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
    _require(0 <= t.adam_beta1 < 1, "training.adam_beta1", "in [0, 1)", t.adam_beta1)
    _require(0 <= t.adam_beta2 < 1, "training.adam_beta2", "in [0, 1)", t.adam_beta2)
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
