#!/usr/bin/env bash
# Generates the Python, Java, .NET and Go bindings with jsii-pacmak (code only), fails on any warning or error,
# byte-compiles the generated Python, and prints what was generated and how long it took.
# What this proves: jsii can translate the whole public API into the four languages, the README's snippets are
# translated with it, and the Python is syntactically valid. What it does not: the Java, C# and Go code is not
# compiled (no Maven Central, NuGet or Go toolchain here), and no package is built or published.
set -euo pipefail
export PATH="$PWD/node_modules/.bin:$PATH"
out=dist/code
rm -rf "$out"
start=$(date +%s%N)
log=$(mktemp)
jsii-pacmak --code-only --outdir "$out" \
  --target python --target java --target dotnet --target go \
  --rosetta-tablet .jsii.tabl.json 2>&1 | tee "$log" | grep -v -e 'Node 20 is end-of-life' -e '^!!' || true
if [ "${PIPESTATUS[0]}" -ne 0 ]; then exit 1; fi
if grep -iE '(^|[^a-z])(warn|warning|error)([^a-z]|$)' "$log" | grep -v -e 'end-of-life' -e '^!!'; then
  echo "jsii-pacmak printed warnings or errors (above)" >&2
  exit 1
fi
pacmak_ms=$(( ($(date +%s%N) - start) / 1000000 ))
python3 -m compileall -q "$out/python" >/dev/null
for lang in python java dotnet go; do
  printf '%-7s %4d files\n' "$lang" "$(find "$out/$lang" -type f | wc -l)"
done
echo "jsii-pacmak (4 languages, code only): ${pacmak_ms} ms; Python byte-compiled"
