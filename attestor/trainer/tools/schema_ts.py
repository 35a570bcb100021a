"""Generates TypeScript declarations from protocol.schema.json (the one definition).

    python3 attestor/trainer/tools/schema_ts.py > attestor/trainer/protocol.d.ts

Handles the subset of JSON Schema the protocol uses: objects, const, enum, arrays, $ref,
nullable type lists and string-keyed maps. Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SCHEMA = Path(__file__).resolve().parents[1] / "provena_trainer" / "protocol.schema.json"

SCALARS = {"string": "string", "number": "number", "integer": "number", "boolean": "boolean", "null": "null"}


def ts_type(node: dict) -> str:
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    if "const" in node:
        return json.dumps(node["const"])
    if "enum" in node:
        return " | ".join(json.dumps(v) for v in node["enum"])
    kind = node.get("type")
    if isinstance(kind, list):
        return " | ".join(ts_type({**node, "type": k}) for k in kind)
    if kind == "array":
        inner = ts_type(node["items"])
        return f"Array<{inner}>"
    if kind == "object":
        if "properties" in node:
            return interface_body(node)
        return f"Record<string, {ts_type(node.get('additionalProperties', {}))}>"
    if kind in SCALARS:
        return SCALARS[kind]
    return "unknown"


def interface_body(node: dict) -> str:
    required = set(node.get("required", []))
    lines = ["{"]
    for name, prop in node["properties"].items():
        if "description" in prop:
            lines.append(f"  /** {prop['description']} */")
        lines.append(f"  {name}{'' if name in required else '?'}: {ts_type(prop)};")
    lines.append("}")
    return "\n".join(lines)


def generate() -> str:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    parts = ["// Generated from attestor/trainer/provena_trainer/protocol.schema.json by attestor/trainer/tools/schema_ts.py.",
             "// Do not edit: change the schema and regenerate (a test checks they match).", ""]
    for name, node in schema["$defs"].items():
        if "description" in node:
            parts.append(f"/** {node['description']} */")
        parts.append(f"export interface {name} {interface_body(node)}\n")
    union = " | ".join(ref["$ref"].rsplit("/", 1)[-1] for ref in schema["oneOf"])
    parts.append(f"/** {schema['description']} */")
    parts.append(f"export type {schema['title']} = {union};\n")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(generate())
