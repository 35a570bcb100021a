"""Shared fixtures: the tiny models of every family, datasets, and protocol validation.

PROVENA_TINY_MODELS points at the models built by tools/tiny_models.py (the test script builds
them once into the cache); without it they are built into a temporary directory.
The package under test is the installed one (scripts/trainer-test.sh installs it), never the
source tree: a packaging mistake, such as a data file left out, must fail here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import provena_trainer

TRAINER_DIR = Path(__file__).resolve().parents[1]
if Path(provena_trainer.__file__).resolve().is_relative_to(TRAINER_DIR):
    pytest.exit(f"provena_trainer was imported from the source tree ({provena_trainer.__file__}), not the installed "
                "package: run bash scripts/trainer-test.sh (or set PYTHONSAFEPATH=1 with an environment that has it installed)",
                returncode=4)
# The tools are no part of the package; the tests use the tiny-model builder.
sys.path.insert(0, str(TRAINER_DIR / "tools"))

import tiny_models  # noqa: E402
from provena_trainer.config import load_spec  # noqa: E402
from provena_trainer.protocol import Collector, load_schema  # noqa: E402

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

FAMILIES = tiny_models.FAMILIES

# A small dataset a tiny model can memorize: fixed questions with fixed answers, plus raw text.
QA = [
    ("What color is the sky?", "The sky is blue."),
    ("What is 2 plus 2?", "2 plus 2 is 4."),
    ("Name a fruit.", "An apple is a fruit."),
    ("Who signs verdicts?", "A validator signs verdicts."),
    ("Where is Paris?", "Paris is in France."),
    ("What does a model learn?", "A model learns from data."),
]
RECORDS = [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in QA] + [
    {"text": "The chain counts small numbers again and again."},
    {"text": "Every datanet reads clear text before noon."},
]


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    target = os.environ.get("PROVENA_TINY_MODELS")
    out = Path(target) if target else tmp_path_factory.mktemp("tiny-models")
    tiny_models.main([str(out)])
    return out


@pytest.fixture(scope="session")
def validator():
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def write_jsonl(path: Path, records: list) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


@pytest.fixture(scope="session")
def train_file(tmp_path_factory) -> str:
    return write_jsonl(tmp_path_factory.mktemp("data") / "train.jsonl", RECORDS)


def check_messages(validator, messages: list[dict]) -> None:
    for m in messages:
        errors = sorted(validator.iter_errors(m), key=str)
        assert not errors, f"{m} violates the protocol schema: {errors[0].message}"


def run_inprocess(mode: str, spec: dict, validator):
    """Runs a mode in this process; returns (result, collector) after checking every message."""
    from provena_trainer.train import train
    from provena_trainer.evaluate import run

    collector = Collector()
    parsed = load_spec(spec, mode)
    try:
        result = train(parsed, collector) if mode == "train" else run(parsed, mode, collector)
    finally:
        check_messages(validator, collector.messages)
    return result, collector


def worker_env() -> dict:
    # `-m` would otherwise put the working directory (the source tree) first on the worker's sys.path.
    return {**os.environ, "PYTHONSAFEPATH": "1"}


def run_cli(mode: str, spec: dict, validator, stdin: str | None = None, timeout: int = 300, env: dict | None = None):
    """Runs the real worker process (with `env` added to its environment); returns (exit code, parsed
    stdout messages, stderr)."""
    proc = subprocess.run(
        [sys.executable, "-m", "provena_trainer", mode, "--spec", json.dumps(spec)],
        input=stdin, capture_output=True, text=True, env={**worker_env(), **(env or {})}, timeout=timeout,
    )
    messages = [json.loads(line) for line in proc.stdout.splitlines()]
    check_messages(validator, messages)
    return proc.returncode, messages, proc.stderr
