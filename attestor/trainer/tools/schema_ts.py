"""Generates the TypeScript side of protocol.schema.json (the one definition):

- protocol.d.ts: an interface per $defs entry (messages, serve requests, the job spec), and the
  WorkerMessage union;
- settings.ts: JOB_SETTINGS, the sections of $defs/JobSettings with each field's default, from
  which the attestor takes the settings keys a job may carry.

    python3 attestor/trainer/tools/schema_ts.py    # writes both next to the package

Standard library only. Handles the subset of JSON Schema the protocol uses: objects, const,
enum, arrays, $ref (to a definition, or to one property of one), nullable type lists and
string-keyed maps. A test fails when the committed files differ from what this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TRAINER_DIR = Path(__file__).resolve().parents[1]
SCHEMA = TRAINER_DIR / "provena_trainer" / "protocol.schema.json"
HEADER = [
    "// Generated from attestor/trainer/provena_trainer/protocol.schema.json by attestor/trainer/tools/schema_ts.py.",
    "// Do not edit: change the schema and regenerate (a test checks they match).",
    "",
]
SCALARS = {"string": "string", "number": "number", "integer": "number", "boolean": "boolean", "null": "null"}


def resolve(schema: dict, ref: str) -> dict:
    node = schema
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def is_definition(ref: str) -> bool:
    return ref.count("/") == 2  # "#/$defs/Name"


def ts_type(schema: dict, node: dict) -> str:
    if "$ref" in node:
        if is_definition(node["$ref"]):
            return node["$ref"].rsplit("/", 1)[-1]
        return ts_type(schema, resolve(schema, node["$ref"]))
    if "const" in node:
        return json.dumps(node["const"])
    if "enum" in node:
        return " | ".join(json.dumps(v) for v in node["enum"])
    kind = node.get("type")
    if isinstance(kind, list):
        return " | ".join(ts_type(schema, {**node, "type": k}) for k in kind)
    if kind == "array":
        return f"Array<{ts_type(schema, node['items'])}>"
    if kind == "object":
        if "properties" in node:
            return interface_body(schema, node)
        return f"Record<string, {ts_type(schema, node.get('additionalProperties', {}))}>"
    if kind in SCALARS:
        return SCALARS[kind]
    return "unknown"


def interface_body(schema: dict, node: dict) -> str:
    required = set(node.get("required", []))
    lines = ["{"]
    for name, prop in node["properties"].items():
        if "$ref" in prop and not is_definition(prop["$ref"]):
            prop = {**resolve(schema, prop["$ref"]), **{k: v for k, v in prop.items() if k != "$ref"}, "$ref": prop["$ref"]}
        doc = prop.get("description", "")
        if "default" in prop:
            doc = f"{doc} (default: {json.dumps(prop['default'])})".lstrip()
        if doc:
            lines.append(f"  /** {doc} */")
        lines.append(f"  {name}{'' if name in required else '?'}: {ts_type(schema, prop)};")
    lines.append("}")
    return "\n".join(lines)


def declarations(schema: dict) -> str:
    parts = list(HEADER)
    for name, node in schema["$defs"].items():
        if "description" in node:
            parts.append(f"/** {node['description']} */")
        parts.append(f"export interface {name} {interface_body(schema, node)}\n")
    union = " | ".join(ref["$ref"].rsplit("/", 1)[-1] for ref in schema["oneOf"])
    parts.append(f"/** {schema['description']} */")
    parts.append(f"export type {schema['title']} = {union};\n")
    return "\n".join(parts)


def settings(schema: dict) -> str:
    sections = []
    for section, ref in schema["$defs"]["JobSettings"]["properties"].items():
        fields = resolve(schema, ref["$ref"])["properties"]
        lines = []
        for name, prop in fields.items():
            default = resolve(schema, prop["$ref"])["default"] if "$ref" in prop else prop["default"]
            lines.append(f"    {name}: {json.dumps(default)},")
        sections.append(f"  {section}: {{\n" + "\n".join(lines) + "\n  },")
    description = schema["$defs"]["JobSettings"]["description"]
    return "\n".join(
        HEADER
        + [
            f"/** {description} Each section's fields with the worker's defaults. */",
            "export const JOB_SETTINGS = {",
            *sections,
            "} as const;",
            "",
        ]
    )


def generate() -> dict[Path, str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return {TRAINER_DIR / "protocol.d.ts": declarations(schema), TRAINER_DIR / "settings.ts": settings(schema)}


if __name__ == "__main__":
    for path, text in generate().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
