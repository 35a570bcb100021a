"""Export: PEFT-format adapter (or full weights), optional merged weights, SHA-256 of every
artifact, and the training manifest that the attestor publishes."""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

from .protocol import Emitter

ARTIFACT_KINDS = {
    "adapter_model.safetensors": "adapter_weights",
    "adapter_config.json": "adapter_config",
    "config.json": "model_config",
}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def weights_digest(model_dir: str) -> dict:
    """SHA-256 of each weight file of the base model: its identity in the provenance record."""
    p = Path(model_dir)
    if not p.is_dir():
        return {}
    return {f.name: sha256_file(f) for f in sorted(p.iterdir()) if f.suffix in (".safetensors", ".bin")}


def emit_artifact(emitter: Emitter, path: Path, kind: str) -> dict:
    record = {"kind": kind, "path": str(path), "sha256": sha256_file(path), "bytes": path.stat().st_size}
    emitter.emit("artifact", **record)
    return record


def save_weights(model, tokenizer, out: Path, emitter: Emitter) -> list[dict]:
    """Saves an adapter (PeftModel) or full weights, and reports each weight/config file."""
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    artifacts = []
    for f in sorted(out.iterdir()):
        kind = ARTIFACT_KINDS.get(f.name) or ("model_weights" if f.suffix == ".safetensors" else None)
        if kind:
            artifacts.append(emit_artifact(emitter, f, kind))
    return artifacts


def library_versions() -> dict:
    import accelerate
    import peft
    import safetensors
    import tokenizers
    import torch
    import transformers

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "accelerate": accelerate.__version__,
        "safetensors": safetensors.__version__,
        "tokenizers": tokenizers.__version__,
    }


def write_manifest(out: Path, manifest: dict, emitter: Emitter) -> dict:
    path = out / "training_manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return emit_artifact(emitter, path, "manifest")


def merge_and_save(base_loader, adapter_dir: Path, tokenizer, out: Path, emitter: Emitter) -> list[dict]:
    """Merged weights come from a fresh full-precision base: merging into a 4-bit (QLoRA) base
    would round the adapter away."""
    from peft import PeftModel

    base = base_loader()
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    return save_weights(merged, tokenizer, out, emitter)
