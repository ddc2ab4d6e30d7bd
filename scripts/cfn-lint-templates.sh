#!/usr/bin/env bash
# Runs cfn-lint over every template the tests synthesized (.tmp/cfn-templates, written by test/setup/record-templates.ts).
# Fails on cfn-lint errors; warnings and informational findings are printed but do not fail.
# cfn-lint is pinned (scripts/requirements-tools.txt) and installed from PyPI into .tmp/venv-tools on first use.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=".tmp/cfn-templates"
if ! bin=$(bash scripts/python-tools.sh); then
  echo "cfn-lint: could not install it from PyPI (scripts/python-tools.sh)" >&2
  exit 1
fi
shopt -s nullglob
templates=("$dir"/*.json)
if [ ${#templates[@]} -eq 0 ]; then
  echo "cfn-lint: no templates under $dir (run the tests first)" >&2
  exit 1
fi
start=$(date +%s)
# W3005 (a DependsOn that a GetAtt already implies) comes from aws-cdk-lib's own Lambda-role wiring
"$bin/cfn-lint" --format parseable --ignore-checks W3005 -- "${templates[@]}"
rc=$?
echo "cfn-lint: ${#templates[@]} templates checked in $(( $(date +%s) - start ))s (exit code $rc)"
# cfn-lint's exit code is a bit mask: 2 = error, 4 = warning, 8 = informational
if (( rc & 2 )) || (( rc & 1 )); then
  exit 1
fi
exit 0
