#!/bin/sh
# Puts the team's repository at $TARGET_REPO before the worker or the Slack app starts (Helm init container,
# docker-compose's target-checkout service). Its .rh-agentic/ governs the team; phases are worked in its
# git worktrees, so it must be a real clone, not a copy of files.
#   TARGET_REPO        where the checkout lives (required)
#   TARGET_REPO_URL    what to clone; empty: the example team shipped in the image, committed into a new repository
#   TARGET_REPO_REF    branch to check out (default main)
#   TARGET_REPO_DEPTH  clone depth; 0 or empty: full history
#   GIT_CREDENTIALS_FILE  git credential-store file for private repositories and pushes (optional)
#   SITROOM_DATA_DIR   created when set: the product's data folder (worktrees) on the same volume; the image
#                      links /app/.data to it
set -eu

target="${TARGET_REPO:?TARGET_REPO must name the directory of the checkout}"
ref="${TARGET_REPO_REF:-main}"
depth="${TARGET_REPO_DEPTH:-0}"
example="${SITROOM_EXAMPLE_REPO:-$(dirname "$0")/../examples/target-repo}"
export GIT_TERMINAL_PROMPT=0

if [ -n "${GIT_CREDENTIALS_FILE:-}" ]; then
  # Written to $HOME/.gitconfig, which the processes' own git commands read too (pushing phase branches).
  git config --global credential.helper "store --file=$GIT_CREDENTIALS_FILE"
fi

if [ -n "${SITROOM_DATA_DIR:-}" ]; then mkdir -p "$SITROOM_DATA_DIR"; fi

depth_flag=""
if [ "$depth" != "0" ]; then depth_flag="--depth=$depth"; fi

if [ -d "$target/.git" ]; then
  if [ -n "${TARGET_REPO_URL:-}" ]; then
    echo "target-checkout: updating $target to $ref from $TARGET_REPO_URL"
    git -C "$target" remote set-url origin "$TARGET_REPO_URL"
    # shellcheck disable=SC2086 # depth_flag is one word or nothing
    git -C "$target" fetch --prune $depth_flag origin "$ref"
    git -C "$target" checkout -q -f -B "$ref" FETCH_HEAD
  else
    echo "target-checkout: $target is already a git repository"
  fi
elif [ -n "${TARGET_REPO_URL:-}" ]; then
  echo "target-checkout: cloning $TARGET_REPO_URL ($ref) into $target"
  mkdir -p "$(dirname "$target")"
  # shellcheck disable=SC2086
  git clone -q $depth_flag --branch "$ref" "$TARGET_REPO_URL" "$target"
else
  echo "target-checkout: TARGET_REPO_URL is not set; committing the example team from $example into $target"
  mkdir -p "$target"
  cp -R "$example/." "$target/"
  git -C "$target" init -q -b "$ref"
  git -C "$target" add -A
  git -C "$target" -c user.name="Situation Room" -c user.email=sitroom@localhost commit -q -m "Example team for Situation Room"
fi

if [ ! -d "$target/.rh-agentic" ]; then
  echo "target-checkout: $target (${TARGET_REPO_URL:-example}, $ref) has no .rh-agentic/ folder: the team's configuration (team.yaml, roles/) must be committed there" >&2
  exit 1
fi
echo "target-checkout: $target at $(git -C "$target" rev-parse --short HEAD)"
