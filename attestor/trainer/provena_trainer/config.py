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
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from .errors import TrainerError


# The range keywords a field may declare, named as in JSON Schema, and how each is checked.
# `zero_or_minimum`: 0 (off) or at least this much; in the schema it is anyOf [{const 0}, {minimum}].
RANGE_KEYWORDS = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minItems", "maxItems", "minLength",
                  "zero_or_minimum")


def _arg(default=dataclasses.MISSING, help: str = "", **kwargs):
    """A hyperparameter with its help text, as in LLaMA-Factory's hparams, and its allowed range
    (JSON Schema keywords: minimum, maximum, ...). The range is declared here once: validate()
    enforces it, and a test keeps protocol.schema.json's description and range of the field equal
    to these."""
    ranges = {k: kwargs.pop(k) for k in RANGE_KEYWORDS if k in kwargs}
    return field(default=default, metadata={"help": help, "range": ranges}, **kwargs)


# Bounds shared by several fields: a run far beyond them is a mistake or an attack on a shared device.
MAX_STEPS = 100_000
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Guard:
    """A limit that is the operator's, never a job's: read from the worker's environment (which it
    inherits from the attestor), so that no spec can raise it."""

    env: str
    default: int
    help: str


GUARDS = {
    "full_max_params": Guard("PROVENA_FULL_MAX_PARAMS", 1_500_000_000, "full fine-tuning keeps weights, gradients and two "
                             "Adam moments in memory: refused above this many parameters"),
}
# Spec fields that once were (or could be taken for) these guards: a spec naming one is told whose it is.
GUARD_FIELDS = {"finetuning.full_max_params": "full_max_params"}


def guard(name: str, env=None) -> int:
    """The operator's value of a guard (its environment variable), or its default."""
    g = GUARDS[name]
    raw = (os.environ if env is None else env).get(g.env, "").strip()
    if not raw:
        return g.default
    try:
        value = int(float(raw)) if float(raw) == int(float(raw)) else -1
    except (ValueError, OverflowError):
        value = -1
    if value < 1:
        raise TrainerError("internal_error", f"{g.env} must be a positive integer, got {raw!r}")
    return value


@dataclass
class ModelArgs:
    """The base model."""

    path: str = _arg("", minLength=1, help="Hugging Face-format local directory (config.json + weights + tokenizer files), "
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
    cutoff_len: int = _arg(1024, minimum=8, maximum=32_768,
                           help="tokens per record; longer records are truncated (and reported); at most the model's context")
    packing: bool = _arg(False, help="concatenate records into full rows of cutoff_len tokens (no padding waste)")
    validation_split: float = _arg(0.0, minimum=0, exclusiveMaximum=1,
                                   help="fraction of the training records held out for evaluation")


@dataclass
class FinetuningArgs:
    """What is trained."""

    method: Literal["lora", "qlora", "full"] = _arg("lora", help="qlora: 4-bit NF4 base (bitsandbytes, on CUDA or CPU)")
    lora_rank: int = _arg(8, minimum=1, maximum=256, help="rank of the LoRA matrices")
    lora_alpha: float = _arg(16.0, exclusiveMinimum=0, maximum=1024,
                             help="LoRA scaling numerator (the update is scaled by lora_alpha / lora_rank)")
    lora_dropout: float = _arg(0.05, minimum=0, exclusiveMaximum=1, help="dropout on the LoRA input")
    lora_target: Optional[list[str]] = _arg(None, minItems=1, maxItems=64,
                                            help='null: the family\'s default modules; ["all-linear"]: every linear '
                                            "layer; or module names")


@dataclass
class TrainingArgs:
    """The optimization loop."""

    learning_rate: float = _arg(2e-4, exclusiveMinimum=0, exclusiveMaximum=1, help="peak learning rate (AdamW)")
    epochs: float = _arg(3.0, minimum=0, maximum=100, help="passes over the training records; must be > 0 unless max_steps is set")
    max_steps: int = _arg(0, minimum=0, maximum=MAX_STEPS, help="when > 0, the number of optimizer steps, overriding epochs")
    batch_size: int = _arg(4, minimum=1, maximum=256, help="records per micro-batch")
    gradient_accumulation_steps: int = _arg(1, minimum=1, maximum=256, help="micro-batches per optimizer step")
    scheduler: Literal["cosine", "linear", "constant"] = _arg("cosine", help="learning-rate decay after warm-up")
    warmup_ratio: float = _arg(0.0, minimum=0, exclusiveMaximum=1, help="fraction of the steps spent warming up")
    warmup_steps: int = _arg(0, minimum=0, maximum=MAX_STEPS, help="when > 0, warm-up steps, overriding warmup_ratio")
    weight_decay: float = _arg(0.0, minimum=0, maximum=10, help="AdamW weight decay, on matrices only")
    adam_beta1: float = _arg(0.9, minimum=0, exclusiveMaximum=1, help="AdamW first-moment decay")
    adam_beta2: float = _arg(0.999, minimum=0, exclusiveMaximum=1, help="AdamW second-moment decay")
    adam_epsilon: float = _arg(1e-8, exclusiveMinimum=0, maximum=1, help="AdamW denominator term")
    max_grad_norm: float = _arg(1.0, minimum=0, maximum=1000, help="gradient clipping norm; 0 disables clipping")
    seed: int = _arg(42, minimum=0, maximum=MAX_SEED, help="seed of initialization, shuffling and dropout")
    logging_steps: int = _arg(1, minimum=0, maximum=MAX_STEPS, help="a step message every this many steps")
    eval_steps: int = _arg(0, minimum=0, maximum=MAX_STEPS,
                           help="evaluate every this many steps; 0: only at the end (when there is an evaluation set)")
    save_steps: int = _arg(0, minimum=0, maximum=MAX_STEPS, zero_or_minimum=5,
                           help="checkpoint every this many steps (0, or at least 5); 0: only on cancellation")
    save_total_limit: int = _arg(2, minimum=1, maximum=10, help="checkpoints kept in output_dir; older ones are "
                                 "deleted as new ones are written (resume takes the latest)")


@dataclass
class GenerationArgs:
    """Sampling, for predict and as serve's defaults."""

    max_new_tokens: int = _arg(256, minimum=1, maximum=4096, help="tokens generated at most")
    temperature: float = _arg(0.7, minimum=0, maximum=10, help="0 means greedy decoding")
    top_p: float = _arg(0.9, exclusiveMinimum=0, maximum=1, help="nucleus sampling mass")
    top_k: int = _arg(50, minimum=0, maximum=1000, help="sample among this many likeliest tokens; 0: no limit")
    repetition_penalty: float = _arg(1.0, exclusiveMinimum=0, maximum=10, help="1 means none")
    stop: list[str] = _arg(maxItems=16, help="strings that end a reply", default_factory=list)
    seed: Optional[int] = _arg(None, minimum=0, maximum=MAX_SEED, help="sampling seed; null draws from the running generator")


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
    for name in unknown:
        where = f"{path}.{name}"
        if where in GUARD_FIELDS:
            g = GUARDS[GUARD_FIELDS[where]]
            raise TrainerError("invalid_spec", f"{where} cannot be set by a job: it is the operator's guard "
                               f"({g.env}, default {g.default})", field=where)
    if unknown:
        raise TrainerError("invalid_spec", f"{path}: unknown field(s) {', '.join(unknown)}", field=f"{path}.{unknown[0]}")
    kwargs = {k: _convert(hints[k], v, f"{path}.{k}" if path != "spec" else k) for k, v in data.items()}
    return cls(**kwargs)


def _require(ok: bool, path: str, rule: str, value) -> None:
    if not ok:
        raise TrainerError("invalid_hyperparameter", f"{path} must be {rule}, got {value!r}", field=path)


def _interval(r: dict) -> str | None:
    """A two-sided range in interval notation, e.g. "in (0, 1]"."""
    low = ("[", r["minimum"]) if "minimum" in r else ("(", r["exclusiveMinimum"]) if "exclusiveMinimum" in r else None
    high = ("]", r["maximum"]) if "maximum" in r else (")", r["exclusiveMaximum"]) if "exclusiveMaximum" in r else None
    return f"in {low[0]}{low[1]}, {high[1]}{high[0]}" if low and high else None


def _broken_rule(r: dict, value) -> str | None:
    """The rule of range `r` that `value` breaks, in words, or None."""
    if isinstance(value, (list, str)):
        unit, low = ("items", r.get("minItems")) if isinstance(value, list) else ("characters", r.get("minLength"))
        if low is not None and len(value) < low:
            return f"at least {low} {unit}"
        if "maxItems" in r and len(value) > r["maxItems"]:
            return f"at most {r['maxItems']} {unit}"
        return None
    if "zero_or_minimum" in r and value != 0 and value < r["zero_or_minimum"]:
        return f"0 (off) or >= {r['zero_or_minimum']}"
    bounds = (("minimum", ">=", value >= r.get("minimum", value)),
              ("exclusiveMinimum", ">", value > r.get("exclusiveMinimum", value - 1)),
              ("maximum", "<=", value <= r.get("maximum", value)),
              ("exclusiveMaximum", "<", value < r.get("exclusiveMaximum", value + 1)))
    if all(ok for _, _, ok in bounds):
        return None
    return _interval(r) or " and ".join(f"{op} {r[k]}" for k, op, _ in bounds if k in r)


def check_ranges(section, prefix: str) -> None:
    """Enforces every range a section's fields declare (`_arg(..., maximum=...)`); the error names
    the field, the bound and the value."""
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        rule = _broken_rule(f.metadata.get("range", {}), value) if value is not None else None
        if rule:
            # A list is shown by its size: a million-item list must not come back in the message.
            shown = f"{len(value)} items" if isinstance(value, list) and len(value) > 8 else repr(value)
            raise TrainerError("invalid_hyperparameter", f"{prefix}.{f.name} must be {rule}, got {shown}",
                               field=f"{prefix}.{f.name}")


def validate_generation(g: "GenerationArgs", prefix: str) -> None:
    """Sampling ranges: for a spec's defaults and for each serve request alike."""
    check_ranges(g, prefix)


def validate(spec: JobSpec, mode: str) -> None:
    """Range checks; type checks already happened while parsing."""
    if not spec.model.path:
        raise TrainerError("invalid_spec", "model.path is required", field="model.path")
    d, t, g = spec.data, spec.training, spec.generation
    for section in ("data", "finetuning", "training"):
        check_ranges(getattr(spec, section), section)
    _require(t.epochs > 0 or t.max_steps > 0, "training.epochs", "> 0 (or max_steps > 0)", t.epochs)
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
