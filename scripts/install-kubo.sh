#!/usr/bin/env bash
# Builds Kubo (the IPFS daemon behind IPFS_API_URL) from its Go module, for the tests of the external-node
# path and for anyone who wants a local Kubo. No prebuilt binary can be downloaded on these machines, so it
# is compiled (a few minutes, once per machine) into a cache outside the repository:
#   ${XDG_CACHE_HOME:-~/.cache}/provena/kubo-$VERSION/ipfs
# Kubo's go.mod has `exclude` directives, which `go install pkg@version` refuses, so the module is
# downloaded and built in place. Prints the binary's path; exits 0 without building when Go is missing.
set -euo pipefail
VERSION=v0.42.0
dest="${XDG_CACHE_HOME:-$HOME/.cache}/provena/kubo-$VERSION"
if [ -x "$dest/ipfs" ]; then echo "$dest/ipfs"; exit 0; fi
if ! command -v go >/dev/null; then echo "install-kubo: no Go toolchain; the Kubo tests will be skipped" >&2; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/ipfs/kubo@$VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
cp -r "$dir" src && chmod -R u+w src
(cd src && GOFLAGS=-buildvcs=false nice go build -trimpath -o "$work/ipfs" ./cmd/ipfs)
mkdir -p "$dest" && mv "$work/ipfs" "$dest/ipfs"
echo "$dest/ipfs"
