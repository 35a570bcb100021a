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
from typing import Literal

import pytest
from jsonschema import Draft202012Validator

from conftest import TRAINER_DIR
from provena_trainer.config import JobSpec, load_spec
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
        "minLength": lambda v, step: "",
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
