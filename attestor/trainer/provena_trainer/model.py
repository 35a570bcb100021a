"""Loading base models, tokenizers and adapters of the supported families."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from .config import FinetuningArgs, ModelArgs
from .errors import TrainerError

log = logging.getLogger(__name__)

# transformers model_type -> product family.
FAMILIES = {
    "gpt2": "gpt2",
    "llama": "llama",
    "mistral": "mistral",
    "mixtral": "mistral",
    "qwen2": "qwen2",
    "qwen3": "qwen3",
    "qwen3_moe": "qwen3",
    "deepseek_v3": "deepseek_v3",
    "deepseek_v2": "deepseek_v3",
    "bloom": "bloom",
    "glm": "glm4",
    "glm4": "glm4",
    "chatglm": "glm4",
    "falcon": "falcon",
    "gemma": "gemma",
    "gemma2": "gemma",
    "gemma3_text": "gemma",
    "phi": "phi",
    "phi3": "phi",
}

# Default LoRA targets: the attention projections of each architecture (names differ per
# family), the usual starting point. A name matches a module whose dotted path ends with it;
# names a given checkpoint lacks are dropped (e.g. DeepSeek-V3 without q_lora_rank has q_proj
# instead of q_a_proj/q_b_proj; ChatGLM remote code fuses query_key_value).
DEFAULT_LORA_TARGETS = {
    "gpt2": ["c_attn", "attn.c_proj"],
    "llama": ["q_proj", "k_proj", "v_proj", "o_proj"],
    "mistral": ["q_proj", "k_proj", "v_proj", "o_proj"],
    "qwen2": ["q_proj", "k_proj", "v_proj", "o_proj"],
    "qwen3": ["q_proj", "k_proj", "v_proj", "o_proj"],
    "deepseek_v3": ["q_proj", "q_a_proj", "q_b_proj", "kv_a_proj_with_mqa", "kv_b_proj", "o_proj"],
    "bloom": ["query_key_value", "self_attention.dense"],
    "glm4": ["q_proj", "k_proj", "v_proj", "o_proj", "query_key_value"],
    "falcon": ["query_key_value", "self_attention.dense"],
    "gemma": ["q_proj", "k_proj", "v_proj", "o_proj"],
    "phi": ["q_proj", "k_proj", "v_proj", "qkv_proj", "o_proj", "self_attn.dense"],
}


@dataclass
class Device:
    type: str  # "cuda" | "cpu"
    dtype: torch.dtype  # weights of the frozen base

    @property
    def autocast(self) -> bool:
        return self.type == "cuda" and self.dtype == torch.bfloat16


def pick_device(method: str) -> Device:
    if torch.cuda.is_available():
        # Full fine-tuning keeps fp32 master weights and computes in bf16 under autocast.
        bf16 = torch.cuda.is_bf16_supported()
        return Device("cuda", torch.bfloat16 if bf16 and method != "full" else torch.float32)
    return Device("cpu", torch.float32)


def set_threads() -> int:
    """CPU threads: PROVENA_TORCH_THREADS, else the cores available to this process.

    The thread count is part of what makes CPU results bit-identical: reductions split across
    threads add in a different order.
    """
    n = int(os.environ.get("PROVENA_TORCH_THREADS", "0")) or len(os.sched_getaffinity(0))
    torch.set_num_threads(n)
    return n


def resolve_model_dir(args: ModelArgs) -> str:
    p = Path(args.path)
    if p.is_dir():
        if not (p / "config.json").is_file():
            raise TrainerError("model_not_found", f"{args.path} holds no config.json", field="model.path")
        return str(p.resolve())
    looks_like_hub_id = args.path.count("/") == 1 and not args.path.startswith((".", "/"))
    if looks_like_hub_id and os.environ.get("HF_HUB_OFFLINE") != "1":
        return args.path
    raise TrainerError("model_not_found", f"model directory not found: {args.path}", field="model.path")


def read_model_type(path: str) -> str:
    cfg = Path(path) / "config.json"
    if cfg.is_file():
        return json.loads(cfg.read_text()).get("model_type", "")
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(path).model_type


# Where a config.json says how many positions the model reads (the first one present counts).
CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "seq_length", "max_sequence_length", "n_ctx")


def model_context(path: str) -> int | None:
    """The model's context length in tokens, from its config.json; None when it does not say."""
    cfg = Path(path) / "config.json"
    if not cfg.is_file():
        return None
    config = json.loads(cfg.read_text())
    config = {**config.get("text_config", {}), **config}
    return next((int(config[k]) for k in CONTEXT_KEYS if isinstance(config.get(k), int) and config[k] > 0), None)


def fit_context(spec, path: str, emitter) -> None:
    """A cutoff_len beyond the model's context would index past its position table: it becomes the
    context, with a warning (the manifest records the length actually used)."""
    context = model_context(path)
    if context is not None and spec.data.cutoff_len > context:
        emitter.emit("warning", code="cutoff_clamped",
                     message=f"data.cutoff_len={spec.data.cutoff_len} exceeds the model's context of {context} tokens: "
                     f"{context} is used")
        spec.data.cutoff_len = context


def family_of(model_type: str) -> str:
    return FAMILIES.get(model_type, model_type)


def load_tokenizer(path: str, args: ModelArgs):
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(path, trust_remote_code=args.trust_remote_code)
    except Exception as exc:  # noqa: BLE001 - any loader failure is reported with its text
        raise TrainerError("model_load_failed", f"tokenizer of {path}: {exc}") from exc
    if tok.pad_token_id is None:
        # Padding positions are masked out of attention and labels, so any id serves.
        tok.pad_token = tok.eos_token
    return tok


def qlora_compute_dtype(device: Device) -> torch.dtype:
    """The dtype the 4-bit layers dequantize to and multiply in.

    bf16 on both devices: on CUDA it is the usual QLoRA setting; on CPU bitsandbytes' dequantize
    + matmul path supports it too, and the base's other weights (embeddings, norms, head) and the
    adapters stay fp32 (prepare_model_for_kbit_training), so no autocast is needed there: each
    Linear4bit casts its input to bf16 and its output back to the caller's fp32. A CUDA device
    without bf16 computes in fp32.
    """
    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        return torch.float32
    return torch.bfloat16


def load_base_model(path: str, args: ModelArgs, device: Device, quantize_4bit: bool = False):
    from transformers import AutoModelForCausalLM

    kwargs = {"dtype": device.dtype, "trust_remote_code": args.trust_remote_code}
    if quantize_4bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=qlora_compute_dtype(device),
        )
        kwargs["device_map"] = {"": 0} if device.type == "cuda" else "cpu"
    try:
        model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    except Exception as exc:  # noqa: BLE001
        raise TrainerError("model_load_failed", f"{path}: {exc}") from exc
    if quantize_4bit:
        check_quantized(model)
    else:
        model.to(device.type)
    return model


def check_qlora_supported(device: Device) -> None:
    """QLoRA runs wherever bitsandbytes can quantize to NF4 on the device (CUDA, and CPU with the
    pinned bitsandbytes): a 64x64 round trip on the device decides, with the library's own error
    as the reason when it cannot."""
    try:
        import bitsandbytes
        import bitsandbytes.functional as F
    except ImportError as exc:
        raise TrainerError("qlora_unsupported", f"bitsandbytes is not installed: {exc}. Use finetuning.method \"lora\".",
                           field="finetuning.method") from exc
    try:
        w = torch.randn(64, 64, generator=torch.Generator().manual_seed(0)).to(device.type)
        q, state = F.quantize_4bit(w, quant_type="nf4", compress_statistics=True)
        error = float((F.dequantize_4bit(q, state).float() - w).abs().max())
    except Exception as exc:  # noqa: BLE001 - the library's reason is the message
        raise TrainerError("qlora_unsupported", f"bitsandbytes {bitsandbytes.__version__} cannot quantize to 4-bit NF4 on "
                           f"{device.type}: {exc}. Use finetuning.method \"lora\".", field="finetuning.method") from exc
    # NF4 keeps 16 levels per absmax block: an error beyond a block's range is a broken backend.
    if not error < float(w.abs().max()):
        raise TrainerError("qlora_unsupported", f"bitsandbytes {bitsandbytes.__version__} NF4 on {device.type} does not "
                           f"round-trip (max error {error:.3g}). Use finetuning.method \"lora\".", field="finetuning.method")


def check_quantized(model) -> list[str]:
    """The names of the 4-bit layers; refuses a model in which none was quantized.

    transformers' bitsandbytes conversion replaces exact torch.nn.Linear modules and GPT-2's
    Conv1D only, so a family built on a Linear subclass (Falcon's FalconLinear) would silently
    train as plain LoRA on a full-precision base: that is refused with the reason.

    Also turns off bitsandbytes' AVX512-BF16 inference path on CPU: in eval mode without grad it
    repacks the weights into a layout whose matmul has no backward (training after an evaluation
    would then get no gradient through the base) and asserts out_features % 32 == 0 (Gemma's and
    DeepSeek's narrow projections fail it). The dequantize + matmul path serves both modes.
    """
    import bitsandbytes as bnb

    quantized = []
    for name, module in model.named_modules():
        if isinstance(module, bnb.nn.Linear4bit):
            module.support_avx512bf16_for_cpu = False
            quantized.append(name)
    if not quantized:
        head = model.get_output_embeddings()
        kinds = sorted({type(m).__name__ for m in model.modules() if isinstance(m, torch.nn.Linear) and m is not head})
        raise TrainerError(
            "qlora_unsupported",
            f"bitsandbytes quantized no layer of this {model.config.model_type} model: transformers' 4-bit conversion "
            f"replaces only exact torch.nn.Linear and Conv1D modules, and its projections are {', '.join(kinds) or 'none'}. "
            "Use finetuning.method \"lora\".",
            field="finetuning.method",
        )
    return quantized


def base_weights_bytes(model) -> int:
    """Bytes the frozen base's weights occupy in memory: every parameter and buffer not being
    trained (4-bit packed for QLoRA, with its quantization statistics), each storage counted once
    (tied embeddings share one)."""
    trainable = {p.data_ptr() for p in model.parameters() if p.requires_grad}
    seen, total = set(), 0
    for tensor in model.state_dict(keep_vars=True).values():
        if not isinstance(tensor, torch.Tensor) or tensor.data_ptr() in trainable:
            continue
        key = (tensor.data_ptr(), tensor.nbytes)
        if key not in seen:
            seen.add(key)
            total += tensor.nbytes
    return total


def resolve_targets(model, family: str, requested: list[str] | None) -> list[str] | str:
    if requested == ["all-linear"]:
        return "all-linear"
    wanted = requested or DEFAULT_LORA_TARGETS.get(family)
    if wanted is None:
        return "all-linear"
    names = [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear) or type(m).__name__ in ("Conv1D", "Linear4bit")]
    present = [t for t in wanted if any(n == t or n.endswith("." + t) for n in names)]
    if not present:
        raise TrainerError(
            "no_target_modules",
            f"none of {wanted} is a linear module of this {family} model",
            field="finetuning.lora_target",
        )
    return present


def add_lora(model, family: str, args: FinetuningArgs):
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=args.lora_rank,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        target_modules=resolve_targets(model, family, args.lora_target),
        task_type="CAUSAL_LM",
        # GPT-2 stores its projections transposed (Conv1D).
        fan_in_fan_out=family == "gpt2",
    )
    return get_peft_model(model, config)


def check_adapter_dir(path: str, field: str = "adapter") -> None:
    p = Path(path)
    if not (p / "adapter_config.json").is_file():
        raise TrainerError("adapter_not_found", f"{path} is not a PEFT adapter (no adapter_config.json)", field=field)


def load_adapter(model, path: str, trainable: bool, name: str = "default"):
    from peft import PeftModel

    check_adapter_dir(path)
    try:
        return PeftModel.from_pretrained(model, path, adapter_name=name, is_trainable=trainable)
    except Exception as exc:  # noqa: BLE001
        raise TrainerError("adapter_not_found", f"{path}: {exc}") from exc


def count_params(model) -> tuple[int, int]:
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return total, trainable
