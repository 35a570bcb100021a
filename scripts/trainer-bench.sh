#!/usr/bin/env bash
# Training throughput of the worker vs a transformers Trainer + PEFT baseline (CPU; GPU figures
# too when CUDA is present). `--json`: the last line is one JSON object.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$(bash "$root/scripts/trainer-install.sh")/bin/python"
tiny="$(bash "$root/scripts/tiny-models.sh")"
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 TOKENIZERS_PARALLELISM=false PROVENA_LOG_LEVEL=WARNING
exec nice -n 10 "$py" "$root/attestor/trainer/tools/bench.py" "$tiny" "$@" 2> >(grep -v -i -E "warn|^\s*$" >&2)
