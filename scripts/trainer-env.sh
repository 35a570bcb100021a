#!/usr/bin/env bash
# Creates (once) and prints the path of the Python environment of the training worker.
#
# The PyPI torch wheel for Linux pulls several GB of CUDA libraries and PyPI serves no CPU-only
# build, so the environment lives outside the clone, keyed by the SHA-256 of the pinned
# requirements: every clone and every CI run on this machine reuses it, and a change of pins
# builds a new one next to it.
#
#   PROVENA_CACHE   cache root (default: $HOME/.cache/provena)
#   PYTHON          interpreter used to create the environment (default: python3, needs >= 3.10)
#
# Only the path goes to stdout; progress goes to stderr.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/attestor/trainer/requirements.txt"
cache="${PROVENA_CACHE:-$HOME/.cache/provena}"
key="$(sha256sum "$req" | cut -c1-16)"
venv="$cache/venv-$key"

if [[ -f "$venv/.provena-complete" ]]; then
  echo "$venv"
  exit 0
fi

mkdir -p "$cache"
# One builder at a time; a directory without the completion mark is a failed or interrupted
# install and is rebuilt from scratch.
exec 9>"$cache/.venv-$key.lock"
flock 9
if [[ ! -f "$venv/.provena-complete" ]]; then
  start=$(date +%s)
  echo "trainer-env: creating $venv (first run downloads torch with its CUDA libraries)" >&2
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv" >&2
  nice -n 10 "$venv/bin/python" -m pip install --quiet --no-input -r "$req" >&2
  touch "$venv/.provena-complete"
  echo "trainer-env: ready in $(( $(date +%s) - start )) s, $(du -sh "$venv" | cut -f1)" >&2
fi
echo "$venv"
