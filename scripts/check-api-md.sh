#!/usr/bin/env bash
# Under CI, fails when the API.md that docgen just wrote differs from the committed one.
set -euo pipefail
if [ -n "${CI:-}" ]; then
  if ! git diff --exit-code --stat -- API.md; then
    echo "API.md is out of date: run npx projen build locally and commit API.md" >&2
    exit 1
  fi
fi
