"""Issue 13's limits, attacked: a run cannot fill the disk with checkpoints (only save_total_limit
are kept, and resuming from the latest still works), the training budget is bounded, a cutoff_len
beyond the model's context is clamped, and a chat reply can be cancelled mid-way while the serve
worker goes on serving."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import check_messages, run_cli, run_inprocess, worker_env

from provena_trainer.config import load_spec
from provena_trainer.errors import TrainerError


def spec_of(tiny_dir, train_file, out, **training) -> dict:
    return {
        "model": {"path": str(tiny_dir / "gpt2")},
        "data": {"train": train_file, "cutoff_len": 64},
        "training": {"learning_rate": 0.01, "batch_size": 2, **training},
        "output_dir": str(out),
    }


def test_only_the_latest_checkpoints_are_kept_and_resume_from_the_latest_works(tmp_path, tiny_dir, train_file, validator):
    out = tmp_path / "o"
    stale = out / "checkpoints" / "step-000001.tmp"  # what a run killed mid-write leaves
    stale.mkdir(parents=True)
    _, log = run_inprocess("train", spec_of(tiny_dir, train_file, out, max_steps=23, save_steps=5, save_total_limit=2), validator)
    assert [c["step"] for c in log.of("checkpoint")] == [5, 10, 15, 20]
    kept = sorted(p.name for p in (out / "checkpoints").iterdir())
    assert kept == ["step-000015", "step-000020"], kept
    latest = log.of("checkpoint")[-1]["path"]
    rc, resumed, _ = run_cli("train", {**spec_of(tiny_dir, train_file, tmp_path / "r", max_steps=23, save_steps=5),
                                       "resume_from": latest}, validator)
    assert rc == 0 and resumed[0]["resumed_from_step"] == 20 and resumed[-1]["steps"] == 23


def test_a_budget_of_steps_beyond_the_bound_is_refused_before_training(tmp_path, tiny_dir, train_file):
    from provena_trainer.protocol import Collector
    from provena_trainer.train import train

    # Every field within its bound, but 100 epochs of 1-record batches over a big dataset is too many steps.
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"text": f"record {i} reads clear text."}) + "\n" for i in range(1500)))
    spec = load_spec(spec_of(tiny_dir, str(big), tmp_path / "o", epochs=100, batch_size=1), "train")
    try:
        train(spec, Collector())
        raise AssertionError("trained")
    except TrainerError as err:
        assert err.code == "invalid_hyperparameter" and err.details["field"] == "training.epochs"
        assert "150,000 optimizer steps, more than 100,000" in err.message, err.message


def test_cutoff_beyond_the_model_context_is_clamped(tmp_path, tiny_dir, validator):
    long = tmp_path / "long.jsonl"
    long.write_text(json.dumps({"text": "the model reads clear text today. " * 200}) + "\n")
    spec = {**spec_of(tiny_dir, str(long), tmp_path / "o", max_steps=1), "data": {"train": str(long), "cutoff_len": 4096}}
    _, log = run_inprocess("train", spec, validator)
    assert [w["code"] for w in log.of("warning")] == ["cutoff_clamped", "records_truncated"]
    assert "context of 512 tokens" in log.of("warning")[0]["message"] and log.messages[-1]["type"] == "done"


def test_a_cancelled_chat_reply_stops_and_the_worker_serves_on(tiny_dir, validator):
    proc = subprocess.Popen([sys.executable, "-m", "provena_trainer", "serve", "--spec",
                             json.dumps({"model": {"path": str(tiny_dir / "gpt2")}})],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=worker_env())
    send = lambda request: (proc.stdin.write(json.dumps(request) + "\n"), proc.stdin.flush())  # noqa: E731
    messages = []

    def until(done):
        for line in proc.stdout:
            messages.append(json.loads(line))
            if done(messages[-1]):
                return messages[-1]

    until(lambda m: m["type"] == "ready")
    # Greedy decoding of this tiny model never meets its end of sequence: without the cancel it would run
    # to the model's context (510 tokens here).
    send({"id": "long", "prompt": "The model", "temperature": 0, "max_new_tokens": 4096})
    until(lambda m: m["type"] == "token")
    send({"id": "long", "op": "cancel"})
    ended = until(lambda m: m.get("id") == "long" and m["type"] in ("reply", "error"))
    assert ended["type"] == "error" and ended["code"] == "cancelled", ended
    tokens = sum(len(m["text"]) for m in messages if m["type"] == "token" and m["id"] == "long")
    assert tokens < 500, tokens
    # A cancel that comes before its request starts stops it at once; the next request is served whole.
    send({"id": "early", "prompt": "The model", "temperature": 0, "max_new_tokens": 50})
    send({"id": "early", "op": "cancel"})
    send({"id": "after", "prompt": "The model", "temperature": 0, "max_new_tokens": 3})
    assert until(lambda m: m.get("id") == "early" and m["type"] in ("reply", "error"))["code"] == "cancelled"
    after = until(lambda m: m.get("id") == "after" and m["type"] in ("reply", "error"))
    assert after["type"] == "reply" and after["completion_tokens"] == 3
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0
    messages += [json.loads(line) for line in proc.stdout]
    check_messages(validator, messages)


def test_a_prompt_beyond_the_context_is_refused_by_the_worker(tiny_dir, validator):
    requests = [{"id": "huge", "prompt": "again " * 2000, "max_new_tokens": 4}, {"id": "ok", "prompt": "x", "max_new_tokens": 2}]
    rc, messages, _ = run_cli("serve", {"model": {"path": str(tiny_dir / "gpt2")}}, validator,
                              stdin="".join(json.dumps(r) + "\n" for r in requests))
    errors = {m["id"]: m for m in messages if m["type"] == "error"}
    assert errors["huge"]["code"] == "bad_request" and "the model reads at most 512" in errors["huge"]["message"]
    assert [m["id"] for m in messages if m["type"] == "reply"] == ["ok"]
