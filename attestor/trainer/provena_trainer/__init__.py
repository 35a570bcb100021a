"""Provena's training worker: LoRA/QLoRA/full fine-tuning, evaluation and chat serving of causal
language models, driven by a JSON job spec and reporting JSON lines (see protocol.schema.json)."""

__version__ = "0.1.0"
