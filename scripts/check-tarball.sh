#!/usr/bin/env bash
# Checks the npm tarball: it ships the compiled constructs and every handler bundle of the registry (so consumers
# need neither esbuild nor Docker), and nothing of the repository's tooling (handler sources, tests, scratch files).
# The bundles are read from the compiled registry (lib/private/handlers.js, built before packaging).
set -euo pipefail
tarball=$(ls dist/js/*.tgz | head -n 1)
files=$(tar tzf "$tarball")
bundles=$(node -e 'const r = require("./lib/private/handlers.js"); for (const n of r.HANDLER_NAMES) console.log(`package/${r.bundleFile(n)}`);')
[ -n "$bundles" ] || { echo "the handler registry lists no bundle" >&2; exit 1; }
missing=0
for f in package/lib/index.js package/lib/private/handlers.js package/.jsii package/API.md $bundles; do
  grep -qx "$f" <<<"$files" || { echo "tarball lacks $f" >&2; missing=1; }
done
stray=$(grep -E '^package/(lambda|test|examples|bench|scripts|\.tmp|\.ci|rosetta|src)/' <<<"$files" || true)
if [ -n "$stray" ]; then echo "tarball ships files it should not:" >&2; echo "$stray" >&2; missing=1; fi
[ "$missing" -eq 0 ] || exit 1
echo "tarball: $(wc -l <<<"$files") files, $(du -k "$tarball" | cut -f1) KB, $(wc -l <<<"$bundles") bundles included, no sources or scratch files"
