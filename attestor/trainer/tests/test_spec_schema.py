"""The job spec has two descriptions, the dataclasses of config.py (what the worker parses) and
$defs/JobSpec of protocol.schema.json (what TypeScript is generated from): they must agree.
Also: the package's declared dependencies are requirements.txt's pins."""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
import types
import typing
from typing import Literal, Optional

import pytest
from jsonschema import Draft202012Validator

from conftest import TRAINER_DIR
from provena_trainer.config import RANGE_KEYWORDS, GenerationArgs, JobSpec, load_spec
from provena_trainer.errors import TrainerError
from provena_trainer.protocol import load_schema

SCHEMA = load_schema()
DEFS = SCHEMA["$defs"]
JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}
VALID = {"model": {"path": "m"}, "data": {"train": "t.jsonl"}, "output_dir": "o"}


def sections(cls=JobSpec):
    """The dataclass and every section dataclass it contains."""
    yield cls
    for tp in typing.get_type_hints(cls).values():
        if dataclasses.is_dataclass(tp):
            yield from sections(tp)


def expected_keywords(tp) -> dict:
    """The JSON Schema type keywords a field of this Python type must have."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        node = expected_keywords(inner)
        return {**node, "type": [node["type"], "null"]}
    if origin is Literal:
        return {"enum": list(typing.get_args(tp))}
    if origin is list:
        return {"type": "array", "items": expected_keywords(typing.get_args(tp)[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": expected_keywords(typing.get_args(tp)[1])}
    if dataclasses.is_dataclass(tp):
        return {"$ref": f"#/$defs/{tp.__name__}"}
    return {"type": JSON_TYPES[tp]}


def schema_range(f: dataclasses.Field) -> dict:
    """The JSON Schema range keywords a field's declared range (`_arg(..., maximum=...)`) stands for."""
    declared = dict(f.metadata.get("range", {}))
    zero_or = declared.pop("zero_or_minimum", None)
    return {**declared, **({"anyOf": [{"const": 0}, {"minimum": zero_or}]} if zero_or is not None else {})}


SCHEMA_RANGE_KEYWORDS = [k for k in RANGE_KEYWORDS if k != "zero_or_minimum"] + ["anyOf", "maxLength"]


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("cls", list(sections()), ids=lambda c: c.__name__)
def test_dataclasses_and_schema_agree(cls):
    node = DEFS[cls.__name__]
    assert node["type"] == "object" and node["additionalProperties"] is False
    assert words(node["description"]) == words(inspect.getdoc(cls))
    fields = dataclasses.fields(cls)
    assert list(node["properties"]) == [f.name for f in fields], "same fields, same order"
    hints = typing.get_type_hints(cls)
    for f in fields:
        prop = node["properties"][f.name]
        where = f"{cls.__name__}.{f.name}"
        for key, value in expected_keywords(hints[f.name]).items():
            assert prop.get(key) == value, f"{where}: schema {key} {prop.get(key)!r}, dataclass implies {value!r}"
        assert prop["description"] == f.metadata["help"], f"{where}: schema description and dataclass help differ"
        in_schema = {k: prop[k] for k in SCHEMA_RANGE_KEYWORDS if k in prop}
        assert in_schema == schema_range(f), f"{where}: schema range {in_schema}, dataclass declares {schema_range(f)}"
        if dataclasses.is_dataclass(hints[f.name]) or f.name in node.get("required", []):
            assert "default" not in prop, where
        else:
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            assert "default" in prop and prop["default"] == default and type(prop["default"]) is type(default), where


def violations():
    """One spec per range the schema states for a section's field, just outside it."""
    outside = {
        "minimum": lambda v, step: v - step,
        "exclusiveMinimum": lambda v, step: v,
        "maximum": lambda v, step: v + step,
        "exclusiveMaximum": lambda v, step: v,
        "minItems": lambda v, step: [],
        "maxItems": lambda v, step: ["x"] * (v + 1),
        "minLength": lambda v, step: "",
        "anyOf": lambda v, step: v[1]["minimum"] - 1,  # [{const 0}, {minimum}]: just below the minimum
    }
    hints = typing.get_type_hints(JobSpec)
    for section in (f.name for f in dataclasses.fields(JobSpec) if dataclasses.is_dataclass(hints[f.name])):
        for name, prop in DEFS[hints[section].__name__]["properties"].items():
            step = 1 if "integer" in str(prop.get("type")) else 0.5
            for keyword, value in outside.items():
                if keyword in prop:
                    spec = {**VALID, section: {**VALID.get(section, {}), name: value(prop[keyword], step)}}
                    yield pytest.param(spec, f"{section}.{name}", id=f"{section}.{name}-{keyword}")


@pytest.mark.parametrize("spec,field", list(violations()))
def test_worker_enforces_every_schema_range(spec, field):
    with pytest.raises(TrainerError) as err:
        load_spec(spec, "train")
    assert err.value.code in ("invalid_hyperparameter", "invalid_spec")
    assert err.value.details["field"] == field
    errors = list(Draft202012Validator({"$ref": "#/$defs/JobSpec", "$defs": DEFS}).iter_errors(spec))
    assert errors, "the schema must refuse it too"


def test_every_number_a_job_may_set_is_bounded_both_ways():
    """A job's settings (and the sampling of chat) are strangers' input: no number without an upper bound."""
    hints = typing.get_type_hints(JobSpec)
    for section in ("data", "finetuning", "training", "generation"):
        for f in dataclasses.fields(hints[section]):
            declared = f.metadata.get("range", {})
            kind = typing.get_type_hints(hints[section])[f.name]
            if kind in (int, float, Optional[int]):
                assert {"minimum", "exclusiveMinimum"} & set(declared), f"{section}.{f.name} has no lower bound"
                assert {"maximum", "exclusiveMaximum"} & set(declared), f"{section}.{f.name} has no upper bound"
            if typing.get_origin(kind) is list or list in typing.get_args(kind) or any(
                    typing.get_origin(a) is list for a in typing.get_args(kind)):
                assert "maxItems" in declared, f"{section}.{f.name} has no item bound"


def test_serve_requests_have_the_sampling_ranges_of_the_spec():
    request = DEFS["ServeRequest"]["properties"]
    for f in dataclasses.fields(GenerationArgs):
        assert {k: request[f.name][k] for k in SCHEMA_RANGE_KEYWORDS if k in request[f.name]} == schema_range(f), f.name


@pytest.mark.parametrize("patch,field,message", [
    ({"training": {"epochs": 1e12}}, "training.epochs", "training.epochs must be in [0, 100], got 1000000000000.0"),
    ({"training": {"batch_size": 1e6}}, "training.batch_size", "training.batch_size must be in [1, 256], got 1000000"),
    ({"training": {"save_steps": 1}}, "training.save_steps", "training.save_steps must be 0 (off) or >= 5, got 1"),
    ({"training": {"max_steps": 10**9}}, "training.max_steps", "training.max_steps must be in [0, 100000], got 1000000000"),
    ({"finetuning": {"lora_rank": 4096}}, "finetuning.lora_rank", "finetuning.lora_rank must be in [1, 256], got 4096"),
    ({"finetuning": {"lora_target": ["q"] * 10_000}}, "finetuning.lora_target",
     "finetuning.lora_target must be at most 64 items, got 10000 items"),
    ({"data": {"cutoff_len": 10**7}}, "data.cutoff_len", "data.cutoff_len must be in [8, 32768], got 10000000"),
    ({"training": {"save_total_limit": 1000}}, "training.save_total_limit",
     "training.save_total_limit must be in [1, 10], got 1000"),
    ({"finetuning": {"full_max_params": 1e15}}, "finetuning.full_max_params",
     "finetuning.full_max_params cannot be set by a job: it is the operator's guard (PROVENA_FULL_MAX_PARAMS, default 1500000000)"),
])
def test_the_attacks_of_issue_13_are_refused_by_name(patch, field, message):
    with pytest.raises(TrainerError) as err:
        load_spec({**VALID, **patch}, "train")
    assert err.value.details["field"] == field and err.value.message == message
    # Honest work goes on: the same sections within bounds are accepted.
    honest = {"training": {"epochs": 100, "batch_size": 256, "save_steps": 5, "save_total_limit": 10, "max_steps": 100_000},
              "finetuning": {"lora_rank": 256, "lora_target": ["q"] * 64}, "data": {**VALID["data"], "cutoff_len": 32_768}}
    assert load_spec({**VALID, **honest}, "train").training.save_steps == 5


def test_guards_are_the_operators():
    from provena_trainer.config import guard

    assert guard("full_max_params", {}) == 1_500_000_000
    assert guard("full_max_params", {"PROVENA_FULL_MAX_PARAMS": "1000"}) == 1000
    with pytest.raises(TrainerError, match="PROVENA_FULL_MAX_PARAMS must be a positive integer"):
        guard("full_max_params", {"PROVENA_FULL_MAX_PARAMS": "lots"})


def test_a_parsed_spec_is_valid_by_the_schema():
    full = load_spec(VALID, "train").to_dict()
    Draft202012Validator({"$ref": "#/$defs/JobSpec", "$defs": DEFS}).validate(full)


def test_job_settings_are_fields_of_the_spec():
    spec = DEFS["JobSpec"]["properties"]
    for name, prop in DEFS["JobSettings"]["properties"].items():
        section = prop["$ref"].rsplit("/", 1)[-1]
        of_spec = spec[name]["$ref"].rsplit("/", 1)[-1]
        # Either the spec's section itself, or a subset of it whose every field refers to the spec's.
        if section != of_spec:
            for field, sub in DEFS[section]["properties"].items():
                assert sub == {"$ref": f"#/$defs/{of_spec}/properties/{field}"}
    assert "train" not in DEFS["DataSettings"]["properties"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib")
def test_declared_dependencies_are_the_pinned_requirements():
    import tomllib

    project = tomllib.loads((TRAINER_DIR / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    pinned = [line.split("#")[0].strip() for line in (TRAINER_DIR / "requirements.txt").read_text().splitlines()]
    norm = lambda req: re.sub(r"\s+", "", req.replace("'", '"'))  # noqa: E731
    assert sorted(map(norm, declared)) == sorted(norm(r) for r in pinned if r)
