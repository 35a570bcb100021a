#!/usr/bin/env bash
# Tests of the Python training worker: installs the package over the cached environment
# (scripts/trainer-install.sh), builds the tiny models of every family once (cached, keyed by the
# builder's source), runs pytest against the installed package, exits with its status.
# Extra arguments go to pytest (e.g. -k gpt2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$(bash "$root/scripts/trainer-install.sh")/bin/python"

export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 TOKENIZERS_PARALLELISM=false
# `python -m` would put the working directory, and so the source tree's provena_trainer, first on
# sys.path; the tests are of the installed package (conftest.py refuses the source tree).
export PYTHONSAFEPATH=1
export PROVENA_TINY_MODELS="$(bash "$root/scripts/tiny-models.sh")"

cd "$root/attestor/trainer"
exec nice -n 10 "$py" -m pytest "$@"
