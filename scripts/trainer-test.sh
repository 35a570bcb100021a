#!/usr/bin/env bash
# Tests of the Python training worker: sets up the cached environment, builds the tiny models
# of every family once (cached, keyed by the builder's source), runs pytest, exits with its status.
# Extra arguments go to pytest (e.g. -k gpt2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(bash "$root/scripts/trainer-env.sh")"
py="$venv/bin/python"

export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 TOKENIZERS_PARALLELISM=false
export PYTHONPATH="$root/attestor/trainer${PYTHONPATH:+:$PYTHONPATH}"
export PROVENA_TINY_MODELS="$(bash "$root/scripts/tiny-models.sh")"

cd "$root/attestor/trainer"
exec nice -n 10 "$py" -m pytest "$@"
