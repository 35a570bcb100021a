"""The worker as the TypeScript side runs it: real subprocesses for errors, SIGTERM and serve;
evaluate/predict metrics; full fine-tuning, refinement and merged export."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from conftest import QA, check_messages, run_cli, run_inprocess, worker_env, write_jsonl

# One question answered the same way many times: a tiny model memorizes it in a few dozen steps.
MEMO = [{"messages": [{"role": "user", "content": "What color is the sky?"}, {"role": "assistant", "content": "blue blue blue"}]}] * 8


def base_spec(tiny_dir: Path, train: str, out: Path, family: str = "gpt2", **training) -> dict:
    return {
        "model": {"path": str(tiny_dir / family)},
        "data": {"train": train, "cutoff_len": 64},
        "training": {"learning_rate": 0.05, "max_steps": 6, "batch_size": 4, **training},
        "output_dir": str(out),
    }


@pytest.fixture(scope="module")
def memo_adapter(tmp_path_factory, tiny_dir, validator) -> Path:
    """An adapter that has learned to answer 'blue blue blue'."""
    d = tmp_path_factory.mktemp("memo")
    spec = base_spec(tiny_dir, write_jsonl(d / "memo.jsonl", MEMO), d / "out", max_steps=40, batch_size=8, learning_rate=0.01)
    spec["finetuning"] = {"lora_rank": 16, "lora_alpha": 32, "lora_dropout": 0.0, "lora_target": ["all-linear"]}
    run_inprocess("train", spec, validator)
    return d / "out" / "adapter"


def error_of(messages: list[dict]) -> dict:
    assert messages and messages[-1]["type"] == "error", messages[-1:]
    return messages[-1]


def assert_merged_equals_adapter(result, base_dir: Path, out: Path):
    """The merged weights the run exported answer as its adapter does on a fresh full-precision base."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    ids = torch.tensor([result.tokenizer("What color is the sky?")["input_ids"]])
    with torch.no_grad():
        merged = AutoModelForCausalLM.from_pretrained(out / "merged")(input_ids=ids).logits
        adapter = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base_dir), out / "adapter")
        expected = adapter.eval()(input_ids=ids).logits
    torch.testing.assert_close(merged, expected, rtol=1e-4, atol=1e-4)


def test_unknown_model_directory(tmp_path, train_file, validator):
    rc, messages, _ = run_cli("train", base_spec(tmp_path, train_file, tmp_path / "o", family="nope"), validator)
    assert rc == 1 and error_of(messages)["code"] == "model_not_found"


def test_invalid_hyperparameter_from_cli(tmp_path, tiny_dir, train_file, validator):
    rc, messages, _ = run_cli("train", base_spec(tiny_dir, train_file, tmp_path / "o", learning_rate=5), validator)
    assert rc == 1 and error_of(messages) | {"message": ""} == {
        "type": "error", "code": "invalid_hyperparameter", "message": "", "field": "training.learning_rate"}


def test_check_validates_a_training_spec_without_loading_anything(tmp_path, validator):
    spec = base_spec(tmp_path, "not-read.jsonl", tmp_path / "o", family="not-loaded")
    rc, messages, _ = run_cli("check", spec, validator)
    assert rc == 0 and messages == [{"type": "done", "mode": "check", "steps": 0, "elapsed_s": 0.0, "output_dir": str(tmp_path / "o"), "metrics": {}}]
    rc, messages, _ = run_cli("check", {**spec, "finetuning": {"method": "dora"}}, validator)
    assert rc == 1 and error_of(messages)["field"] == "finetuning.method"


def test_empty_dataset(tmp_path, tiny_dir, validator):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    rc, messages, _ = run_cli("train", base_spec(tiny_dir, str(empty), tmp_path / "o"), validator)
    assert rc == 1 and error_of(messages)["code"] == "empty_dataset"


def test_record_longer_than_cutoff_is_truncated_and_reported(tmp_path, tiny_dir, validator):
    data = write_jsonl(tmp_path / "long.jsonl", [{"text": "the model reads clear text today. " * 50}, {"text": "short one."}])
    _, log = run_inprocess("train", base_spec(tiny_dir, data, tmp_path / "o", max_steps=2), validator)
    (warning,) = log.of("warning")
    assert warning["code"] == "records_truncated" and warning["count"] == 1
    assert log.of("started")[0]["truncated_records"] == 1 and log.messages[-1]["type"] == "done"


def test_sigterm_mid_run_checkpoints_and_resume_finishes(tmp_path, tiny_dir, train_file, validator):
    spec = base_spec(tiny_dir, train_file, tmp_path / "o", max_steps=200, batch_size=2, gradient_accumulation_steps=2)
    proc = subprocess.Popen([sys.executable, "-m", "provena_trainer", "train", "--spec", json.dumps(spec)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=worker_env())
    messages = []
    for line in proc.stdout:
        messages.append(json.loads(line))
        if messages[-1]["type"] == "step" and messages[-1]["step"] == 3:
            proc.send_signal(signal.SIGTERM)
            break
    messages += [json.loads(line) for line in proc.stdout]
    assert proc.wait(timeout=60) == 3
    check_messages(validator, messages)
    checkpoint, error = messages[-2], messages[-1]
    assert checkpoint["type"] == "checkpoint" and checkpoint["final"] is True and 3 <= checkpoint["step"] < 200
    assert error["code"] == "cancelled" and error["checkpoint"] == checkpoint["path"]

    rc, resumed, _ = run_cli("train", {**spec, "resume_from": checkpoint["path"]}, validator)
    assert rc == 0 and resumed[0]["resumed_from_step"] == checkpoint["step"]
    assert resumed[-1]["type"] == "done" and resumed[-1]["steps"] == 200


def test_bad_checkpoint_and_adapter_paths(tmp_path, tiny_dir, train_file, validator):
    rc, messages, _ = run_cli("train", {**base_spec(tiny_dir, train_file, tmp_path / "o"), "resume_from": str(tmp_path)}, validator)
    assert error_of(messages)["code"] == "checkpoint_not_found"
    rc, messages, _ = run_cli("train", {**base_spec(tiny_dir, train_file, tmp_path / "o"), "adapter": str(tmp_path)}, validator)
    assert error_of(messages)["code"] == "adapter_not_found"


def test_serve_streams_stops_and_switches_adapters(memo_adapter, tiny_dir, validator):
    question = [{"role": "user", "content": "What color is the sky?"}]
    requests = [
        {"id": "tuned", "messages": question, "adapter": "memo", "temperature": 0, "max_new_tokens": 8},
        {"id": "base", "messages": question, "temperature": 0, "max_new_tokens": 8},
        {"id": "stop", "messages": question, "adapter": "memo", "temperature": 0, "max_new_tokens": 8, "stop": [" blue"]},
        {"id": "sampled", "prompt": "The model", "temperature": 0.9, "top_p": 0.9, "top_k": 20,
         "repetition_penalty": 1.2, "max_new_tokens": 5, "seed": 3},
        {"id": "missing", "prompt": "x", "adapter": "nope"},
        {"id": "wild", "prompt": "x", "top_p": 7},
        {"id": "bye", "op": "shutdown"},
    ]
    spec = {"model": {"path": str(tiny_dir / "gpt2")}, "serve": {"adapters": {"memo": str(memo_adapter)}}}
    rc, messages, _ = run_cli("serve", spec, validator, stdin="".join(json.dumps(r) + "\n" for r in requests))
    assert rc == 0 and messages[0] == {"type": "ready", "model": str(tiny_dir / "gpt2"), "family": "gpt2", "adapters": ["memo"]}
    replies = {m["id"]: m for m in messages if m["type"] == "reply"}
    for rid, reply in replies.items():
        streamed = "".join(m["text"] for m in messages if m["type"] == "token" and m["id"] == rid)
        assert streamed == reply["text"]
    assert replies["tuned"]["text"].startswith("blue blue")
    assert not replies["base"]["text"].startswith("blue") and replies["base"]["adapter"] is None
    assert replies["stop"]["text"] == "blue" and replies["stop"]["finish_reason"] == "stop"
    assert replies["sampled"]["completion_tokens"] <= 5
    errors = {m["id"]: m for m in messages if m["type"] == "error"}
    assert errors["missing"]["code"] == "adapter_not_found"
    assert errors["wild"]["code"] == "bad_request" and "request.top_p must be in (0, 1]" in errors["wild"]["message"]
    assert messages[-1]["type"] == "done"


def test_evaluate_and_predict_score_the_adapter_above_the_base(memo_adapter, tiny_dir, tmp_path, validator):
    held_out = write_jsonl(tmp_path / "eval.jsonl", MEMO[:2])
    predict = write_jsonl(tmp_path / "predict.jsonl", [
        {"messages": [{"role": "user", "content": "What color is the sky?"}], "reference": "blue blue blue"},
        {"prompt": "What color is the sky?", "reference": "blue"}])
    results = {}
    for name, adapter in (("tuned", str(memo_adapter)), ("base", None)):
        spec = {"model": {"path": str(tiny_dir / "gpt2")}, "data": {"eval": held_out, "predict": predict},
                "generation": {"temperature": 0, "max_new_tokens": 6}, "output_dir": str(tmp_path / name), "adapter": adapter}
        loss, _ = run_inprocess("evaluate", spec, validator)
        assert loss["perplexity"] == pytest.approx(torch.tensor(loss["loss"]).exp().item(), rel=1e-5)
        scores, log = run_inprocess("predict", spec, validator)
        rows = [json.loads(line) for line in (tmp_path / name / "predictions.jsonl").read_text().splitlines()]
        from provena_trainer.metrics import score

        assert score([r["prediction"] for r in rows], [r["reference"] for r in rows]) == scores
        results[name] = (loss, scores)
    assert results["tuned"][0]["loss"] < results["base"][0]["loss"]
    assert results["tuned"][1]["rouge1"] > results["base"][1]["rouge1"]


def test_refine_from_earlier_adapter_and_merge(memo_adapter, tiny_dir, tmp_path, validator):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    data = write_jsonl(tmp_path / "more.jsonl", [{"text": f"{q} {a}"} for q, a in QA])
    spec = {**base_spec(tiny_dir, data, tmp_path / "o", max_steps=3), "adapter": str(memo_adapter), "export": {"merge": True}}
    result, log = run_inprocess("train", spec, validator)
    manifest = json.loads((tmp_path / "o" / "training_manifest.json").read_text())
    assert manifest["parent_adapter"]["path"] == str(memo_adapter)
    assert manifest["data"]["records"] == len(QA) and len(manifest["data"]["sha256"]) == 64
    assert set(manifest["libraries"]) >= {"torch", "transformers", "peft"}
    kinds = [a["kind"] for a in log.of("artifact")]
    assert kinds.count("adapter_weights") == 1 and "model_weights" in kinds and kinds[-1] == "manifest"
    assert_merged_equals_adapter(result, tiny_dir / "gpt2", tmp_path / "o")


def test_full_fine_tuning_small_model_and_size_guard(tmp_path, tiny_dir, train_file, validator):
    spec = base_spec(tiny_dir, train_file, tmp_path / "o", max_steps=4, learning_rate=0.005, batch_size=8)
    spec["data"]["eval"] = train_file
    spec["finetuning"] = {"method": "full"}
    result, log = run_inprocess("train", spec, validator)
    started = log.of("started")[0]
    assert started["trainable_params"] == started["total_params"]
    assert log.of("eval")[-1]["metrics"]["loss"] < log.of("step")[0]["loss"] - 0.1
    assert (tmp_path / "o" / "model" / "model.safetensors").is_file()

    # The guard is the operator's (the worker's environment), never the spec's.
    rc, messages, _ = run_cli("train", spec, validator, env={"PROVENA_FULL_MAX_PARAMS": "1000"})
    assert error_of(messages)["code"] == "model_too_large" and "PROVENA_FULL_MAX_PARAMS" in error_of(messages)["message"]
    spec["finetuning"] = {"method": "full", "full_max_params": 10**15}
    rc, messages, _ = run_cli("check", spec, validator)
    assert rc == 1 and error_of(messages) | {"message": ""} == {
        "type": "error", "code": "invalid_spec", "message": "", "field": "finetuning.full_max_params"}
