#!/usr/bin/env bash
# The newest aws-cdk-lib tier (`npx projen test:newest`): the project builds and tests against its dependency floor
# (the devDependencies, .projenrc.ts); this proves the library also works with the newest release a user may have.
#   1. install the newest aws-cdk-lib, constructs and cdk-nag 3 into .tmp/newest/node_modules (never into
#      node_modules: the floor stays what the build uses);
#   2. copy src/, test/, examples/, lambda/ and the bundles (assets/) into .tmp/newest: Node resolves aws-cdk-lib from
#      there to the newest release, and everything else from the project's node_modules;
#   3. run the construct, contract, cdk-nag, provider and snapshot tests there (the snapshot is the floor's: the templates
#      must not change with the release);
#   4. synthesize the example apps there with JSII_DEPRECATED=fail (the library calls no API the newest release
#      deprecates) and compare their templates with the floor's (scripts/compare-templates.js).
# Each step is one check: prints "newest: N passed, N failed" and writes test-reports/newest.xml (the tests'
# own report is test-reports/newest-jest.xml).
#
# Environment:
#   NEWEST_CDK_VERSION=X   test aws-cdk-lib X instead of the newest release (e.g. a release a user reports)
# Arguments: jest test path patterns instead of the default set.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$root/node_modules/.bin:$PATH"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
export CDK_DISABLE_CLI_TELEMETRY=true

dir=.tmp/newest
logs=$dir/logs
results=$dir/results.tsv
version=${NEWEST_CDK_VERSION:-latest}
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=('test/[^/]*\.construct\.test\.ts$' 'test/[^/]*\.contract\.test\.ts$' 'test/nag\.test\.ts$' 'test/provider\.l1\.test\.ts$' 'test/example\.snapshot\.test\.ts$')
. scripts/steps.sh

install() {
  # a folder of its own, so that npm leaves the project's node_modules and lockfile alone
  mkdir -p "$dir" && echo '{ "name": "newest-aws-cdk-lib", "private": true }' >"$dir/package.json"
  (cd "$dir" && npm install --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
    "aws-cdk-lib@$version" 'constructs@^10' 'cdk-nag@^3') || return 1
  node -e 'for (const p of ["aws-cdk-lib", "constructs", "cdk-nag"]) console.log(p, require(`./'"$dir"'/node_modules/${p}/package.json`).version)' \
    | tee "$dir/versions.txt"
}

copy() {
  [ -f assets/lambda/organizations/inviter/index/index.js ] || { echo "no handler bundles: run npx projen bundle"; return 1; }
  rm -rf "$dir/src" "$dir/test" "$dir/examples" "$dir/lambda" "$dir/assets" "$dir/.tmp"
  cp -r src test examples lambda assets tsconfig.json "$dir/" || return 1
  rm -rf "$dir/examples/cdk.out"
  # jest: the project's configuration, rooted in the copy, its report next to the others
  node -e '
const fs = require("fs"), path = require("path");
const [dir, root] = process.argv.slice(1);
const config = { ...require(path.join(root, "package.json")).jest, rootDir: path.resolve(dir), collectCoverage: false,
  reporters: ["default", ["jest-junit", { outputDirectory: path.join(root, "test-reports"), outputName: "newest-jest.xml", suiteNameTemplate: "newest: {filepath}" }]] };
fs.writeFileSync(path.join(dir, "jest.config.json"), JSON.stringify(config, undefined, 1));
' "$dir" "$root"
}

# the copy resolves aws-cdk-lib to the newest release: prove it before trusting the tests
resolves_newest() {
  (cd "$dir/test" && node -e '
const expected = require("../node_modules/aws-cdk-lib/package.json").version;
const got = require(require.resolve("aws-cdk-lib/package.json", { paths: [process.cwd()] })).version;
const nag = require(require.resolve("aws-cdk-lib/package.json", { paths: [require.resolve("cdk-nag", { paths: [process.cwd()] })] })).version;
console.log(`the tests load aws-cdk-lib ${got}, cdk-nag loads ${nag}; installed ${expected}`);
if (got !== expected || nag !== expected) process.exit(1);')
}

run_tests() {
  jest --config "$dir/jest.config.json" --ci --maxWorkers=2 "${tests[@]}"
}

synth_examples() {
  (cd "$dir" && JSII_DEPRECATED=fail ts-node --transpile-only --project test/tsconfig.json examples/app.ts \
    && JSII_DEPRECATED=fail ts-node --transpile-only --project test/tsconfig.json examples/cross-account.ts)
}

# the floor's example templates: the ones `npx projen example` writes, with the project's node_modules
synth_examples_floor() {
  rm -rf examples/cdk.out
  ts-node --transpile-only --project test/tsconfig.json examples/app.ts \
    && ts-node --transpile-only --project test/tsconfig.json examples/cross-account.ts
}

compare_examples() {
  node scripts/compare-templates.js "floor=examples/cdk.out" "newest=$dir/examples/cdk.out" \
    && node scripts/compare-templates.js "floor=examples/cdk.out/cross-account" "newest=$dir/examples/cdk.out/cross-account"
}

start=$(date +%s)
rm -rf "$logs" && mkdir -p "$logs" && : >"$results"
rm -f test-reports/newest.xml test-reports/newest-jest.xml
step install install && cat "$dir/versions.txt" && step copy copy && step resolves-newest resolves_newest \
  && { step jest run_tests; step synth-examples synth_examples && step synth-examples-floor synth_examples_floor \
  && step compare-examples compare_examples; }
[ -f "$logs/jest.log" ] && grep -E '^Tests:' "$logs/jest.log"
echo "newest tier: $(( $(date +%s) - start ))s"
finish newest test-reports/newest.xml install copy resolves-newest jest synth-examples synth-examples-floor compare-examples
