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
# W3005 (a DependsOn that a GetAtt already implies): the providers' functions keep the DependsOn on their role that
# core's CustomResourceProvider wrote (src/private/provider.ts), so that their templates did not change
"$bin/cfn-lint" --format parseable --ignore-checks W3005 -- "${templates[@]}"
rc=$?
# cfn-lint's exit code is a bit mask: 1 = cfn-lint failed, 2 = errors, 4 = warnings, 8 = informational findings.
# Only 1 and 2 fail the build; the summary says so in words rather than "exit code 4".
found=""
(( rc & 1 )) && found+=", cfn-lint itself failed"
(( rc & 2 )) && found+=", errors"
(( rc & 4 )) && found+=", warnings"
(( rc & 8 )) && found+=", informational findings"
if (( rc & 3 )); then verdict="FAILED (${found#, } above)"
elif [ -n "$found" ]; then verdict="passed, no errors (${found#, } above do not fail the build)"
else verdict="passed, nothing found"
fi
echo "cfn-lint: ${#templates[@]} templates checked in $(( $(date +%s) - start ))s: $verdict"
(( (rc & 3) == 0 ))
