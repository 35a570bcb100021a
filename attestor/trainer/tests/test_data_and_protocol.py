"""Chat-template masking for every family, spec validation, metrics, and the protocol schema."""

from __future__ import annotations

import math

import pytest
from transformers import AutoTokenizer

import schema_ts
from conftest import FAMILIES
from provena_trainer import metrics
from provena_trainer.config import load_spec
from provena_trainer.data import IGNORE, EncodeReport, encode_record, pack
from provena_trainer.errors import ERROR_CODES, TrainerError

CONVERSATION = {"messages": [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi there"},
    {"role": "assistant", "content": "Hello friend"},
    {"role": "user", "content": "Again please"},
    {"role": "assistant", "content": "Bye now"},
]}


def learned_segments(tok, example) -> list[str]:
    segments, current = [], []
    for token, label in zip(example.input_ids, example.labels):
        if label != IGNORE:
            assert label == token
            current.append(token)
        elif current:
            segments.append(tok.decode(current))
            current = []
    if current:
        segments.append(tok.decode(current))
    return segments


@pytest.mark.parametrize("family", FAMILIES)
def test_chat_masking_learns_assistant_turns_only(family, tiny_dir):
    tok = AutoTokenizer.from_pretrained(tiny_dir / family)
    example = encode_record(tok, CONVERSATION, 512, EncodeReport())
    segments = learned_segments(tok, example)
    assert len(segments) == 2, segments
    for segment, answer in zip(segments, ["Hello friend", "Bye now"]):
        assert answer in segment
        # Nothing of the user's or system's words is learned...
        for other in ("Hi there", "Again please", "Be brief"):
            assert other not in segment
        # ...and the turn ends with a special token, so the model learns to stop.
        last_id = example.input_ids[[i for i, l in enumerate(example.labels) if l != IGNORE][-1]]
        assert last_id in set(tok.all_special_ids) | set(tok.added_tokens_decoder)


def test_text_records_learn_every_token_and_truncate(tiny_dir):
    tok = AutoTokenizer.from_pretrained(tiny_dir / "gpt2")
    report = EncodeReport()
    long = encode_record(tok, {"text": "the model trains on the data " * 40}, 32, report)
    assert len(long.input_ids) == 32 and report.truncated == 1
    assert all(label == token for label, token in zip(long.labels, long.input_ids))


def test_packing_fills_rows_without_padding(tiny_dir):
    tok = AutoTokenizer.from_pretrained(tiny_dir / "gpt2")
    examples = [encode_record(tok, {"text": f"record number {i} reads clear text"}, 64, EncodeReport()) for i in range(20)]
    rows = pack(examples, 16)
    assert all(len(r.input_ids) == 16 for r in rows[:-1])
    assert sum(len(r.input_ids) for r in rows) == sum(len(e.input_ids) for e in examples)


@pytest.mark.parametrize("patch,code,field", [
    ({"training": {"learning_rate": -1}}, "invalid_hyperparameter", "training.learning_rate"),
    ({"training": {"batch_size": 0}}, "invalid_hyperparameter", "training.batch_size"),
    ({"training": {"scheduler": "exponential"}}, "invalid_hyperparameter", "training.scheduler"),
    ({"finetuning": {"lora_dropout": 1.5}}, "invalid_hyperparameter", "finetuning.lora_dropout"),
    ({"finetuning": {"lora_rank": 2.5}}, "invalid_spec", "finetuning.lora_rank"),
    ({"training": {"learning_rte": 0.1}}, "invalid_spec", "training.learning_rte"),
    ({"data": {"packing": "yes"}}, "invalid_spec", "data.packing"),
])
def test_invalid_specs_have_codes(patch, code, field):
    spec = {"model": {"path": "x"}, "data": {"train": "t.jsonl"}, "output_dir": "o", **patch}
    if "data" in patch:
        spec["data"] = {"train": "t.jsonl", **patch["data"]}
    with pytest.raises(TrainerError) as err:
        load_spec(spec, "train")
    assert err.value.code == code and err.value.details["field"] == field


def test_defaults_are_the_usual_ones():
    spec = load_spec({"model": {"path": "m"}, "data": {"train": "t"}, "output_dir": "o"}, "train")
    assert (spec.finetuning.method, spec.finetuning.lora_rank, spec.finetuning.lora_alpha) == ("lora", 8, 16.0)
    assert (spec.training.learning_rate, spec.training.scheduler, spec.training.batch_size) == (2e-4, "cosine", 4)


def test_metrics_by_hand():
    assert metrics.score(["the cat sat on the mat"], ["the cat sat on the mat"]) == pytest.approx(
        {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0, "bleu4": 1.0})
    # pred "the cat sat", ref "the cat sat down": unigram P=3/3 R=3/4; bigram P=2/2 R=2/3; LCS=3.
    s = metrics.score(["the cat sat"], ["the cat sat down"])
    assert s["rouge1"] == pytest.approx(2 * 1 * 0.75 / 1.75)
    assert s["rouge2"] == pytest.approx(2 * 1 * (2 / 3) / (5 / 3))
    assert s["rougeL"] == pytest.approx(s["rouge1"])
    assert s["bleu4"] == 0.0  # no 4-gram in a 3-token prediction
    # 5-token prediction of a 6-token reference: p1=5/5 p2=4/4 p3=3/3 p4=2/2, brevity exp(1-6/5).
    s = metrics.score(["a b c d e"], ["a b c d e f"])
    assert s["bleu4"] == pytest.approx(math.exp(1 - 6 / 5))
    assert metrics.tokenize("数据，Data!") == ["数", "据", "，", "data", "!"]
    assert metrics.score(["x y"], ["p q"])["rouge1"] == 0.0


def test_generated_typescript_matches_schema(validator):
    for path, text in schema_ts.generate().items():
        committed = path.read_text()
        assert committed == text, f"{path.name} is stale: python3 attestor/trainer/tools/schema_ts.py"


def test_schema_names_every_error_code():
    from provena_trainer.protocol import load_schema

    schema_codes = load_schema()["$defs"]["ErrorMessage"]["properties"]["code"]["enum"]
    assert set(schema_codes) == set(ERROR_CODES)
