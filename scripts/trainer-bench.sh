#!/usr/bin/env bash
# Training throughput of the worker vs a transformers Trainer + PEFT baseline (CPU; GPU figures
# too when CUDA is present). `--json`: the last line is one JSON object.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${PROVENA_CACHE:-$HOME/.cache/provena}"
venv="$(bash "$root/scripts/trainer-env.sh")"
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 TOKENIZERS_PARALLELISM=false PROVENA_LOG_LEVEL=WARNING
export PYTHONPATH="$root/attestor/trainer${PYTHONPATH:+:$PYTHONPATH}"
key="$(cat "$root/attestor/trainer/provena_trainer/tiny_models.py" "$root/attestor/trainer/requirements.txt" | sha256sum | cut -c1-16)"
tiny="$cache/tiny-models-$key"
nice -n 10 "$venv/bin/python" "$root/scripts/build_tiny_models.py" "$tiny" >/dev/null
exec nice -n 10 "$venv/bin/python" -m provena_trainer.bench "$tiny" "$@" 2> >(grep -v -i -E "warn|^\s*$" >&2)
