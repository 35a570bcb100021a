"""JSON-lines messages to the TypeScript side.

The one definition of every message and of the job spec is `protocol.schema.json`, shipped in
this package; the tests validate everything the worker writes against it, and the TypeScript
declarations are generated from it (tools/schema_ts.py).
stdout carries only these lines; logs go to stderr.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from importlib import resources
from typing import Callable, TextIO

log = logging.getLogger("provena_trainer")


def _finite(value):
    # JSON has no NaN/Infinity; a diverged loss is reported as null rather than breaking parsers.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


class Emitter:
    """Writes one message per line and flushes, so the reader sees progress immediately."""

    def __init__(self, stream: TextIO | None = None, sink: Callable[[dict], None] | None = None):
        self.stream = stream
        self.sink = sink

    def emit(self, type: str, **fields) -> dict:
        message = {"type": type, **{k: _finite(v) for k, v in fields.items()}}
        if self.sink is not None:
            self.sink(message)
        if self.stream is not None:
            self.stream.write(json.dumps(message, ensure_ascii=False) + "\n")
            self.stream.flush()
        return message


class Collector(Emitter):
    """Keeps messages in memory: used by in-process callers (tests, benchmark)."""

    def __init__(self, echo: TextIO | None = None):
        self.messages: list[dict] = []
        super().__init__(stream=echo, sink=self.messages.append)

    def of(self, type: str) -> list[dict]:
        return [m for m in self.messages if m["type"] == type]


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def load_schema() -> dict:
    return json.loads(resources.files(__package__).joinpath("protocol.schema.json").read_text(encoding="utf-8"))
