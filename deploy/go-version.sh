#!/bin/sh
# Records the Go toolchain HyperShift's go.mod asks for (its `toolchain` line, else its `go` line) in
# deploy/go-version and in the Dockerfile's GO_VERSION, so the image builds HyperShift with that Go and
# RH-A's `go test` (run with GOTOOLCHAIN=local) does not refuse the module.
#   deploy/go-version.sh <HyperShift clone>   reads go.mod at the commit domain-models/snapshot/index.yaml pins
#   deploy/go-version.sh <path/to/go.mod>     reads that file
#   add --print to print the version and change nothing
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
source="${1:?usage: deploy/go-version.sh <HyperShift clone | go.mod> [--print]}"

if [ -f "$source" ]; then
  gomod="$(cat "$source")"
else
  commit="$(sed -n 's/^commit: *//p' "$root/domain-models/snapshot/index.yaml")"
  gomod="$(git --git-dir="$(git -C "$source" rev-parse --absolute-git-dir 2>/dev/null || echo "$source")" show "$commit:go.mod")"
fi

version="$(printf '%s\n' "$gomod" | sed -n 's/^toolchain go\([0-9][0-9.]*\).*/\1/p' | head -n 1)"
[ -n "$version" ] || version="$(printf '%s\n' "$gomod" | sed -n 's/^go \([0-9][0-9.]*\).*/\1/p' | head -n 1)"
case "$version" in
  *.*.*) ;;
  *.*) version="$version.0" ;; # `go 1.22` means the 1.22.0 toolchain
  *) echo "go-version: no go or toolchain line in $source" >&2; exit 1 ;;
esac

if [ "${2:-}" = "--print" ]; then echo "$version"; exit 0; fi
printf '%s\n' "$version" > "$root/deploy/go-version"
sed -i "s/^ARG GO_VERSION=.*/ARG GO_VERSION=$version/" "$root/Dockerfile"
echo "go-version: $version"
