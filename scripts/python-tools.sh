#!/usr/bin/env bash
# Installs the project's pinned Python tools (scripts/requirements-tools.txt: cfn-lint) from PyPI into the ignored
# .tmp/venv-tools, once: a later run reuses it while the requirements file is unchanged. Prints the venv's bin dir.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tmp/venv-tools
req=scripts/requirements-tools.txt
if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then
  echo "installing $(grep -v '^#' "$req" | xargs) into $venv" >&2
  python3 -m venv --clear "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
  cp "$req" "$venv/requirements.txt"
fi
echo "$PWD/$venv/bin"
