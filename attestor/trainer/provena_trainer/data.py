"""Datasets: records -> token ids with labels, packing, validation split, batches.

Records are {"text": ...} (every token is learned) or {"messages": [{"role", "content"}...]}
(rendered with the tokenizer's chat template; only assistant turns are learned, so the model
is not trained to imitate its users).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from dataclasses import dataclass
from pathlib import Path

import torch

from .errors import TrainerError

log = logging.getLogger(__name__)

IGNORE = -100
ROLES = ("system", "user", "assistant")

# Used only when a tokenizer ships no chat template (GPT-2, BLOOM, Falcon base models): plain
# role prefixes, and the end-of-sequence token closes each assistant turn so the model learns
# to stop.
FALLBACK_CHAT_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'system' %}{{ m['content'] }}\n\n"
    "{% elif m['role'] == 'user' %}User: {{ m['content'] }}\n"
    "{% else %}Assistant: {{ m['content'] }}{{ eos_token }}\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}Assistant: {% endif %}"
)


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]

    @property
    def supervised(self) -> int:
        return sum(1 for t in self.labels if t != IGNORE)


@dataclass
class EncodeReport:
    truncated: int = 0
    skipped: int = 0


def load_records(path: str) -> list[dict]:
    """Reads JSON lines, or one JSON array; line numbers in errors are 1-based."""
    p = Path(path)
    if not p.is_file():
        raise TrainerError("data_not_found", f"dataset file not found: {path}")
    text = p.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TrainerError("invalid_record", f"{path}: not valid JSON: {exc}") from exc
    else:
        records = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise TrainerError("invalid_record", f"{path}:{n}: not valid JSON: {exc}") from exc
    for n, record in enumerate(records, 1):
        check_record(record, f"{path} record {n}")
    return records


def check_record(record, where: str) -> None:
    if not isinstance(record, dict):
        raise TrainerError("invalid_record", f"{where}: expected an object")
    if isinstance(record.get("text"), str):
        return
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        raise TrainerError("invalid_record", f"{where}: needs a string 'text' or a non-empty 'messages' list")
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise TrainerError("invalid_record", f"{where}: each message needs role (system|user|assistant) and string content")


def data_digest(records: list[dict]) -> str:
    """SHA-256 over the canonical JSON of the records: independent of file formatting."""
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
        h.update(b"\n")
    return h.hexdigest()


def render_chat(tokenizer, messages, add_generation_prompt: bool) -> str:
    template = None if tokenizer.chat_template else FALLBACK_CHAT_TEMPLATE
    return tokenizer.apply_chat_template(
        messages, chat_template=template, tokenize=False, add_generation_prompt=add_generation_prompt
    )


def assistant_spans(tokenizer, messages) -> tuple[str, list[tuple[int, int]]]:
    """Renders a conversation and returns, per assistant turn, the character span from the end
    of the prompt that asks for it (generation prompt included) to the end of its content.

    The end-of-turn marker after the content is added in token space (encode_record): templates
    differ in what they append after a turn (some always append the next assistant header), so
    the first special token after the content is where a turn reliably ends.
    """
    full = render_chat(tokenizer, messages, add_generation_prompt=False)
    spans, cursor = [], 0
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        prompt = render_chat(tokenizer, messages[:i], add_generation_prompt=True) if i else ""
        # Templates that rewrite earlier turns break the prefix property; then the turn starts
        # where its content does.
        start = len(prompt) if full.startswith(prompt) and len(prompt) >= cursor else None
        content = m["content"].strip()
        found = full.find(content, cursor if start is None else start)
        if found < 0:
            raise TrainerError("invalid_record", "the chat template drops an assistant turn's content")
        end = found + len(content)
        spans.append((found if start is None else start, end))
        cursor = end
    return full, spans


def encode_record(tokenizer, record: dict, cutoff: int, report: EncodeReport) -> Example | None:
    if "text" in record and isinstance(record["text"], str):
        ids = tokenizer(record["text"], add_special_tokens=True)["input_ids"]
        if tokenizer.eos_token_id is not None and (not ids or ids[-1] != tokenizer.eos_token_id):
            ids = ids + [tokenizer.eos_token_id]
        labels = list(ids)
    else:
        text, spans = assistant_spans(tokenizer, record["messages"])
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids = enc["input_ids"]
        labels = [IGNORE] * len(ids)
        special = set(tokenizer.all_special_ids) | set(tokenizer.added_tokens_decoder)
        for span_start, span_end in spans:
            k = next((k for k, (s, _) in enumerate(enc["offset_mapping"]) if s >= span_start), len(ids))
            while k < len(ids) and enc["offset_mapping"][k][0] < span_end:
                labels[k] = ids[k]
                k += 1
            # Learn the end-of-turn marker: text up to and including the next special token.
            while k < len(ids):
                labels[k] = ids[k]
                if ids[k] in special:
                    break
                k += 1
    if len(ids) > cutoff:
        report.truncated += 1
        ids, labels = ids[:cutoff], labels[:cutoff]
    example = Example(ids, labels)
    # A record whose learned part lies entirely past the cutoff teaches nothing.
    if example.supervised < 2:
        report.skipped += 1
        return None
    return example


def encode_records(tokenizer, records: list[dict], cutoff: int) -> tuple[list[Example], EncodeReport]:
    report = EncodeReport()
    examples = [e for r in records if (e := encode_record(tokenizer, r, cutoff, report)) is not None]
    return examples, report


def split_validation(records: list[dict], fraction: float, seed: int) -> tuple[list[dict], list[dict]]:
    if fraction <= 0 or len(records) < 2:
        return records, []
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    n_eval = min(len(records) - 1, max(1, round(fraction * len(records))))
    held = set(order[:n_eval])
    return [r for i, r in enumerate(records) if i not in held], [r for i, r in enumerate(records) if i in held]


def pack(examples: list[Example], cutoff: int) -> list[Example]:
    """Concatenates examples into rows of exactly `cutoff` tokens (the last may be shorter).

    Rows attend across example boundaries (as in plain packing); each example ends with the
    end-of-sequence token, which tells the model where one stops.
    """
    ids = [t for e in examples for t in e.input_ids]
    labels = [t for e in examples for t in e.labels]
    return [Example(ids[i : i + cutoff], labels[i : i + cutoff]) for i in range(0, len(ids), cutoff)]


def collate(rows: list[Example], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(r.input_ids) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        n = len(r.input_ids)
        ids[i, :n] = torch.tensor(r.input_ids)
        labels[i, :n] = torch.tensor(r.labels)
        mask[i, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def epoch_batches(rows: list[Example], batch_size: int, seed: int, epoch: int) -> list[list[Example]]:
    """The batches of one epoch: a permutation fixed by (seed, epoch), so a resumed run sees
    exactly the batches the uninterrupted run would have seen."""
    g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    order = torch.randperm(len(rows), generator=g).tolist()
    return [[rows[i] for i in order[k : k + batch_size]] for k in range(0, len(order), batch_size)]
