#!/usr/bin/env bash
# Checks the npm tarball: it ships the compiled constructs and the three handler bundles (so consumers need neither
# esbuild nor Docker), and nothing of the repository's tooling (handler sources, tests, scratch files).
set -euo pipefail
tarball=$(ls dist/js/*.tgz | head -n 1)
files=$(tar tzf "$tarball")
missing=0
for f in package/lib/index.js package/.jsii package/API.md \
  package/assets/lambda/org-invitation/index/index.js \
  package/assets/lambda/macie-invitations/index/index.js \
  package/assets/lambda/workspaces-account-link/index/index.js; do
  grep -qx "$f" <<<"$files" || { echo "tarball lacks $f" >&2; missing=1; }
done
stray=$(grep -E '^package/(lambda|test|examples|bench|scripts|\.tmp|\.ci|rosetta|src)/' <<<"$files" || true)
if [ -n "$stray" ]; then echo "tarball ships files it should not:" >&2; echo "$stray" >&2; missing=1; fi
[ "$missing" -eq 0 ] || exit 1
echo "tarball: $(wc -l <<<"$files") files, $(du -k "$tarball" | cut -f1) KB, bundles included, no sources or scratch files"
