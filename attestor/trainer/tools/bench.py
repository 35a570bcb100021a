"""Training throughput: our loop against a baseline written as the PEFT docs show
(transformers Trainer + get_peft_model), same model, data, batch size and cutoff.

    python attestor/trainer/tools/bench.py TINY_MODELS_DIR [--json]

Throughput counts real (non-padding) tokens only, for both, so packing's advantage is what
it saves, not what it pads. With --json the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from provena_trainer.config import load_spec
from provena_trainer.protocol import Collector

CPU_SHAPES = ("llama", "gpt2")
BATCH, CUTOFF, STEPS, RANK = 8, 128, 12, 8


def bench_records(n: int = 96) -> list[dict]:
    """Records of varied length (as real data is), fixed by a seed."""
    rng = random.Random(1)
    words = "the model trains on clear data and every validator signs a verdict before noon".split()
    return [{"text": " ".join(rng.choice(words) for _ in range(rng.randint(8, 90)))} for _ in range(n)]


def rss_bytes(field: str) -> int:
    """A memory figure of this process from /proc/self/status (VmRSS: now, VmHWM: peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def ours(model_dir: Path, data: str, out: str, method: str = "lora") -> dict:
    from provena_trainer.train import train

    spec = load_spec({
        "model": {"path": str(model_dir)},
        "data": {"train": data, "cutoff_len": CUTOFF, "packing": True},
        "finetuning": {"method": method, "lora_rank": RANK, "lora_alpha": 2 * RANK, "lora_dropout": 0.0},
        "training": {"max_steps": STEPS, "batch_size": BATCH, "logging_steps": STEPS, "learning_rate": 2e-4},
        "output_dir": out,
    }, "train")
    log = Collector()
    before = rss_bytes("VmRSS")
    train(spec, log)
    return {"tokens_per_s": log.of("step")[-1]["tokens_per_s"], "base_weights_bytes": log.of("started")[0]["base_weights_bytes"],
            # Growth of the process's peak resident memory over what it held before loading the model.
            "peak_rss_growth_bytes": rss_bytes("VmHWM") - before}


def wide_llama(tiny: Path, out: Path, hidden: int = 256, layers: int = 4) -> Path:
    """A tiny LLaMA whose weights are mostly projections, as in real models (the suite's tiny
    models are mostly embedding: a 64-wide model over a 128k vocabulary), with GPT-2's 1k BPE
    tokenizer: the shape on which QLoRA's 4-bit saving shows. Random init, seed 0."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig

    tokenizer = AutoTokenizer.from_pretrained(tiny / "gpt2")
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=4 * hidden, num_hidden_layers=layers,
                         num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=512, tie_word_embeddings=True,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id)
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def qlora_section(tiny: Path, data: Path, tmp: Path) -> dict:
    """QLoRA against LoRA on CPU, same wide tiny LLaMA (hidden 512, 4 layers), same data and
    settings as the LoRA figures: tokens/s, and the base's memory (its weights' bytes as held
    while training; the process's peak RSS growth is reported beside it, though on a shape this
    small it is mostly activations, allocator and library state)."""
    model_dir = wide_llama(tiny, tmp / "llama-wide", hidden=512, layers=4)
    runs = {method: isolated("ours", model_dir, data, tmp, method) for method in ("lora", "qlora")}
    lora, qlora = runs["lora"], runs["qlora"]
    return {
        "shape": "llama hidden 512, 4 layers, vocab 1k",
        "qlora_cpu_tokens_per_s": qlora["tokens_per_s"],
        "lora_cpu_tokens_per_s": lora["tokens_per_s"],
        "qlora_over_lora_peak_mem": qlora["base_weights_bytes"] / lora["base_weights_bytes"],
        "qlora_base_weights_bytes": qlora["base_weights_bytes"],
        "lora_base_weights_bytes": lora["base_weights_bytes"],
        "qlora_over_lora_peak_rss_growth": qlora["peak_rss_growth_bytes"] / max(lora["peak_rss_growth_bytes"], 1),
    }


def baseline(model_dir: Path, data: str, out: str) -> dict:
    """As in PEFT's causal-LM examples: tokenize with truncation, pad per batch, Trainer."""
    from peft import LoraConfig, get_peft_model
    from transformers import (AutoModelForCausalLM, AutoTokenizer, DataCollatorForLanguageModeling, Trainer,
                              TrainingArguments)

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    from provena_trainer.model import DEFAULT_LORA_TARGETS, family_of, read_model_type

    family = family_of(read_model_type(str(model_dir)))
    model = get_peft_model(model, LoraConfig(r=RANK, lora_alpha=2 * RANK, lora_dropout=0.0, task_type="CAUSAL_LM",
                                             target_modules=DEFAULT_LORA_TARGETS[family], fan_in_fan_out=family == "gpt2"))
    texts = [json.loads(line)["text"] for line in Path(data).read_text().splitlines()]
    dataset = [tokenizer(t + tokenizer.eos_token, truncation=True, max_length=CUTOFF) for t in texts]
    collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)
    real = {"tokens": 0}

    def counting_collator(features):
        batch = collator(features)
        real["tokens"] += int(batch["attention_mask"].sum())
        return batch

    args = TrainingArguments(output_dir=out, per_device_train_batch_size=BATCH, max_steps=STEPS, learning_rate=2e-4,
                             use_cpu=not torch.cuda.is_available(), report_to=[], save_strategy="no", logging_steps=STEPS,
                             disable_tqdm=True, dataloader_num_workers=0, seed=42)
    trainer = Trainer(model=model, args=args, train_dataset=dataset, data_collator=counting_collator)
    start = time.time()
    trainer.train()
    return {"tokens_per_s": real["tokens"] / (time.time() - start)}


def train_every_family(tiny: Path, data: str, tmp: Path) -> list[str]:
    from provena_trainer.train import train

    trained = []
    for family_dir in sorted(p for p in tiny.iterdir() if (p / "config.json").is_file()):
        spec = load_spec({"model": {"path": str(family_dir)}, "data": {"train": data, "cutoff_len": 64, "packing": True},
                          "training": {"max_steps": 2, "batch_size": 2}, "output_dir": str(tmp / family_dir.name)}, "train")
        log = Collector()
        train(spec, log)
        if log.messages[-1]["type"] == "done":
            trained.append(log.of("started")[0]["family"])
    return trained


def gpu_section(tmp: Path) -> dict:
    """Qwen2-0.5B shape, LoRA bf16: tokens/s, MFU, peak memory; QLoRA vs LoRA peak memory on a
    Qwen2.5-3B shape. Random init: throughput and memory do not depend on the weights."""
    from transformers import AutoModelForCausalLM, Qwen2Config

    from tiny_models import train_bpe

    def shape(name, **cfg):
        d = tmp / name
        config = Qwen2Config(vocab_size=151936, tie_word_embeddings=True, max_position_embeddings=4096, **cfg)
        AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16).save_pretrained(d)
        from transformers import PreTrainedTokenizerFast

        PreTrainedTokenizerFast(tokenizer_object=train_bpe(["<|endoftext|>"]), eos_token="<|endoftext|>").save_pretrained(d)
        return d

    data = tmp / "gpu.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in bench_records(2000)))

    def run(model_dir, method, steps=20, batch=8, cutoff=1024):
        from provena_trainer.train import train

        torch.cuda.reset_peak_memory_stats()
        spec = load_spec({"model": {"path": str(model_dir)}, "data": {"train": str(data), "cutoff_len": cutoff, "packing": True},
                          "finetuning": {"method": method, "lora_target": ["all-linear"]},
                          "training": {"max_steps": steps, "batch_size": batch, "logging_steps": steps},
                          "output_dir": str(tmp / f"out-{model_dir.name}-{method}")}, "train")
        log = Collector()
        train(spec, log)
        started = log.of("started")[0]
        return started["total_params"], log.of("step")[-1]["tokens_per_s"], torch.cuda.max_memory_allocated() / 2**30

    small = shape("qwen2-0.5b", hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2)
    params, tps, peak = run(small, "lora")
    peak_flops = float(__import__("os").environ.get("PROVENA_GPU_PEAK_TFLOPS", "989")) * 1e12  # H100 SXM dense bf16
    big = shape("qwen2-3b", hidden_size=2048, intermediate_size=11008, num_hidden_layers=36, num_attention_heads=16, num_key_value_heads=2)
    _, _, lora_peak = run(big, "lora", steps=4, batch=2)
    _, _, qlora_peak = run(big, "qlora", steps=4, batch=2)
    return {
        "device": torch.cuda.get_device_name(0),
        "qwen2_0_5b_lora_bf16_tokens_per_s": tps,
        # 6 N FLOPs per token (forward + backward): the usual MFU convention, LoRA or not.
        "qwen2_0_5b_mfu": 6 * params * tps / peak_flops,
        "qwen2_0_5b_peak_memory_gib": peak,
        "qwen2_3b_lora_peak_memory_gib": lora_peak,
        "qwen2_3b_qlora_peak_memory_gib": qlora_peak,
    }


def isolated(which: str, model_dir: Path, data: Path, tmp: Path, method: str = "lora") -> dict:
    """Each measurement runs in a fresh process: the Trainer leaves process-wide state behind
    (seen: a following run in the same process several times slower), and neither side should
    inherit the other's warm caches (nor its peak memory)."""
    out = tmp / f"{which}-{method}-{model_dir.name}"
    proc = subprocess.run([sys.executable, __file__, "--one", which, str(model_dir), str(data), str(out), method],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.splitlines()[-1])


def main(argv=None) -> int:
    if argv is None and sys.argv[1:2] == ["--one"]:
        which, model_dir, data, out, method = sys.argv[2:7]
        from provena_trainer.model import set_threads

        set_threads()
        print(json.dumps(ours(Path(model_dir), data, out, method) if which == "ours" else baseline(Path(model_dir), data, out)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tiny", type=Path, help="directory of tiny models (tools/tiny_models.py)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from provena_trainer.model import set_threads

    threads = set_threads()
    result: dict = {"torch_threads": threads, "batch": BATCH, "cutoff": CUTOFF, "steps": STEPS, "lora_rank": RANK, "cpu": {}}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "bench.jsonl"
        data.write_text("".join(json.dumps(r) + "\n" for r in bench_records()))
        for shape in CPU_SHAPES:
            ours_r = isolated("ours", args.tiny / shape, data, tmp)
            base_r = isolated("baseline", args.tiny / shape, data, tmp)
            result["cpu"][shape] = {"tokens_per_s": ours_r["tokens_per_s"], "baseline_tokens_per_s": base_r["tokens_per_s"],
                                    "ratio": ours_r["tokens_per_s"] / base_r["tokens_per_s"]}
            print(f"cpu {shape}: ours {ours_r['tokens_per_s']:.0f} tok/s, baseline {base_r['tokens_per_s']:.0f} tok/s, "
                  f"ratio {result['cpu'][shape]['ratio']:.2f}", file=sys.stderr)
        # Headline figures: the mean over the shapes (each shape's rate counts the same).
        rates = result["cpu"].values()
        result["cpu_tokens_per_s"] = sum(r["tokens_per_s"] for r in rates) / len(CPU_SHAPES)
        result["cpu_baseline_tokens_per_s"] = sum(r["baseline_tokens_per_s"] for r in rates) / len(CPU_SHAPES)
        result["cpu_ratio"] = result["cpu_tokens_per_s"] / result["cpu_baseline_tokens_per_s"]
        result["qlora"] = qlora_section(args.tiny, data, tmp)
        result["qlora_cpu_tokens_per_s"] = result["qlora"]["qlora_cpu_tokens_per_s"]
        result["qlora_over_lora_peak_mem"] = result["qlora"]["qlora_over_lora_peak_mem"]
        print(f"cpu qlora ({result['qlora']['shape']}): {result['qlora_cpu_tokens_per_s']:.0f} tok/s "
              f"(lora {result['qlora']['lora_cpu_tokens_per_s']:.0f}); base memory qlora/lora "
              f"{result['qlora_over_lora_peak_mem']:.3f}, peak RSS growth qlora/lora "
              f"{result['qlora']['qlora_over_lora_peak_rss_growth']:.2f}", file=sys.stderr)
        result["families_trained"] = train_every_family(args.tiny, str(data), tmp / "families")
        if torch.cuda.is_available():
            result["gpu"] = gpu_section(tmp)
        else:
            result["gpu"] = None
            result["gpu_note"] = "no CUDA device on this machine: GPU figures (0.5B LoRA bf16, 3B QLoRA vs LoRA) not measured"
            print(result["gpu_note"], file=sys.stderr)
    print(f"cpu_tokens_per_s {result['cpu_tokens_per_s']:.0f}, baseline {result['cpu_baseline_tokens_per_s']:.0f}, "
          f"ratio {result['cpu_ratio']:.2f}; qlora_cpu_tokens_per_s {result['qlora_cpu_tokens_per_s']:.0f}, "
          f"qlora_over_lora_peak_mem {result['qlora_over_lora_peak_mem']:.3f}; families trained: {', '.join(result['families_trained'])}")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
