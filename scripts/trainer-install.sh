#!/usr/bin/env bash
# Installs this clone's training worker (attestor/trainer, package provena_trainer) and prints the
# path of a Python environment that runs it: `<path>/bin/python -m provena_trainer`.
#
# The dependencies stay in the shared environment of scripts/trainer-env.sh (5.7 GB, keyed by the
# pins). The package goes into a small environment of its own next to it, keyed by the shared
# environment and the package's own files: its site-packages reaches the shared one through a .pth
# file, and the package is a built copy (pip install --no-deps), not a link into the clone. So the
# shared environment is never bound to one clone, clones with the same package share one install,
# an edit of the package gets a fresh install on next use while a running worker keeps the one it
# started with, and nothing is written into the clone.
#
#   PROVENA_CACHE   cache root (default: $HOME/.cache/provena)
#
# Only the path goes to stdout; progress goes to stderr.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/attestor/trainer"
cache="${PROVENA_CACHE:-$HOME/.cache/provena}"
base="$(bash "$root/scripts/trainer-env.sh")"

# Exactly what the build reads: the key changes when, and only when, the install would.
mapfile -t files < <(cd "$src" && { echo pyproject.toml; find provena_trainer -type f \( -name '*.py' -o -name '*.json' \); } | LC_ALL=C sort)
key="$( (echo "$base"; cd "$src" && sha256sum "${files[@]}") | sha256sum | cut -c1-16)"
env="$cache/trainer-$key"

if [[ -f "$env/.provena-complete" ]]; then
  echo "$env"
  exit 0
fi

exec 9>"$cache/.trainer-$key.lock"
flock 9
if [[ ! -f "$env/.provena-complete" ]]; then
  echo "trainer-install: installing provena_trainer into $env" >&2
  rm -rf "$env"
  "$base/bin/python" -m venv --without-pip "$env" >&2
  purelib() { "$1/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }
  # addsitedir, not a bare path: the shared site-packages is then seen as the shared environment
  # sees it, its own .pth files included. The environment's own site-packages stays first.
  echo "import site; site.addsitedir('$(purelib "$base")')" >"$(purelib "$env")/provena-deps.pth"
  # Build from a copy of exactly the hashed files, so setuptools' build/ and *.egg-info never land
  # in the clone and two installs at once cannot meet.
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  (cd "$src" && cp --parents "${files[@]}" "$stage/")
  # pip and setuptools come from the shared environment; --no-index: nothing is fetched.
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$env/bin/python" -m pip install --quiet --no-input --no-index --no-deps \
    --no-build-isolation --no-cache-dir --root-user-action=ignore "$stage" >&2
  # The schema is package data: a packaging mistake fails here, not in the first job.
  (cd / && "$env/bin/python" -c 'from provena_trainer.protocol import load_schema; load_schema()')
  touch "$env/.provena-complete"
fi
echo "$env"
