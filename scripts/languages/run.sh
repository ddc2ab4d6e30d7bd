#!/usr/bin/env bash
# The language tier (`npx projen test:languages`): proves that Python, Java and Go users get a working package.
#   1. jsii-pacmak builds the real packages from the compiled library into dist/lang/: a Python wheel (pacmak's
#      generated project, `python -m build` and `twine check` in the tier's venv), a Java jar (pacmak's generated Maven
#      project, built and deployed with mvn into a file repository) and a Go module (pacmak's code, compiled by the
#      consumer app: see package_go).
#   2. The consumer apps examples/python, examples/java and examples/go declare the same stack as examples/app.ts
#      against those packages and each language's own aws-cdk-lib from its registry, and synthesize it.
#   3. scripts/compare-templates.js checks that the four templates (TypeScript, Python, Java, Go) are the same,
#      asset hashes included (the Lambda bundles ship inside each package and are found from there).
#   4. pytest runs examples/python/tests (aws_cdk.assertions.Template: a fine-grained assertion and a snapshot).
#   5. scripts/languages/readme-python.py runs every ```python snippet of README.md against the installed wheel, as a
#      reader pastes it, and synthesizes its app; a failure names the README line (its control: a broken snippet and
#      an unclosed fence must fail with their lines).
# Each step is one check: the tier prints "languages: N passed, N failed" and writes test-reports/languages.xml.
#
# aws-cdk-lib versions: the packages declare the library's floor, aws-cdk-lib >= 2.262.0 (.projenrc.ts), and each
# consumer takes its registry's release: npm 2.262.0 (the TypeScript build: the devDependency is the floor), PyPI
# 2.275.0 (examples/python/requirements.txt), Maven Central 2.263.0 (examples/java/pom.xml), Go 2.276.0
# (examples/go/go.mod). The wheel is installed with its dependencies from PyPI and the jar keeps pacmak's declared
# range: what a user of each language gets. The template comparison shows the four templates are the same.
#
# Environment:
#   LANGUAGES_SKIP_BUILD=1   use the current lib/ and assets/ (set by .ci/run after `npx projen build`)
#   LANGUAGES_CACHE=DIR      put the pip, Maven and Go download caches under DIR instead of the home directory
#                            (an empty DIR measures a fresh machine)
#   LANGUAGES=python,java,go the languages to check (default all three)
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export PATH="$root/node_modules/.bin:$PATH"
# Node 20 is end of life for jsii: the banner would drown every log
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1

work=.tmp/languages
out=$work/out
logs=$work/logs
dist=dist/lang
languages=",${LANGUAGES:-python,java,go},"
rm -rf "$out" "$logs" "$dist"
mkdir -p "$out" "$logs" "$dist" test-reports
results=$work/results.tsv
: >"$results"

# caches: the home directory by default (shared by every clone and worktree on the machine, so CI's fresh clone
# starts warm); LANGUAGES_CACHE moves them into one folder
m2_repo="$HOME/.m2/repository"
if [ -n "${LANGUAGES_CACHE:-}" ]; then
  mkdir -p "$LANGUAGES_CACHE"
  cache=$(cd "$LANGUAGES_CACHE" && pwd)
  export PIP_CACHE_DIR="$cache/pip" GOMODCACHE="$cache/go-mod" GOCACHE="$cache/go-build"
  m2_repo="$cache/m2"
fi
# -modcacherw: a module cache inside the project can be deleted with rm -rf; -mod=mod: go.sum may gain entries
export GOFLAGS="-modcacherw -mod=mod -buildvcs=false"
export GOTOOLCHAIN=local GOTELEMETRY=off
mvn=(mvn -B -q "-Dmaven.repo.local=$m2_repo")
venv=$work/venv
py=$venv/bin/python

# step NAME COMMAND... and finish SUITE REPORT NAME...
. scripts/steps.sh
want() { [[ $languages == *",$1,"* ]]; }

build_library() { npx projen bundle && npx projen compile; }

synth_typescript() {
  # the reference: examples/app.ts itself (it writes examples/cdk.out)
  rm -rf examples/cdk.out
  ts-node --transpile-only --project test/tsconfig.json examples/app.ts && cp -r examples/cdk.out "$out/typescript"
}

python_venv() {
  [ -x "$py" ] || python3 -m venv "$venv" || return 1
  # pacmak's own build tools at pacmak's own versions (setuptools, build, twine), and the consumer's dependencies;
  # both are no-ops once the venv has them (PyPI's answers are not cached by pip here, the venv is the cache)
  "$py" -m pip install -q --disable-pip-version-check \
    -r node_modules/jsii-pacmak/lib/targets/python/requirements-dev.txt -r examples/python/requirements.txt
}
package_python() {
  # what `jsii-pacmak --target python` does (generate, `python -m build`, `twine check`), but in the tier's venv
  # without build isolation: pacmak's way makes a new venv and downloads its build tools twice on every run
  local src=$dist/python-src/python
  jsii-pacmak --target python --code-only --outdir "$dist/python-src" || return 1
  "$py" -m build --no-isolation --wheel --outdir "$dist/python" "$src" || return 1
  "$py" -m twine check "$dist"/python/*.whl
}
install_python_fresh() {
  # what a Python user does: `pip install <wheel>` in a new venv, every dependency resolved from PyPI as served here
  # (aws-cdk-lib at or above the library's floor, constructs, jsii, publication, typeguard); `pip check` proves the
  # result is consistent
  local fresh=$work/venv-fresh
  rm -rf "$fresh" && python3 -m venv "$fresh" || return 1
  "$fresh/bin/python" -m pip install --disable-pip-version-check "$dist"/python/*.whl || return 1
  "$fresh/bin/python" -m pip check && "$fresh/bin/python" -m pip list --disable-pip-version-check | grep -Ei '^(aws-cdk-lib|constructs|jsii|cdk-account-invitations) '
}
install_python() {
  # the same wheel in the tier's venv (its requirements are there already): replace the previous run's build
  "$py" -m pip uninstall -q -y cdk-account-invitations >/dev/null 2>&1
  "$py" -m pip install -q --disable-pip-version-check "$dist"/python/*.whl && "$py" -m pip check
}
synth_python() { (cd examples/python && CDK_OUTDIR="$root/$out/python" "$root/$py" app.py); }
test_python() {
  (cd examples/python && "$root/$py" -m pytest -q -p no:cacheprovider --junitxml="$root/test-reports/languages-pytest.xml")
}

readme_python() { "$py" scripts/languages/readme-python.py README.md "$work/readme-python"; }
# the checker's own control: a snippet that raises, one whose fence is not closed and one that does not compile
# must each fail, named by their line
readme_python_detects_failure() {
  local md=$work/readme-control.md report
  printf '%s\n' '# control' '' '```python' 'from aws_cdk import App' 'app = App()' 'raise ValueError("boom")' '```' '' \
    '```python' 'print("not closed")' '' '```json' '{}' '```' '' '```python' 'x = (' '```' >"$md"
  if report=$("$py" scripts/languages/readme-python.py "$md" "$work/readme-control"); then
    echo "the checker passed broken snippets"; return 1
  fi
  echo "$report"
  for expected in "$md:6: FAILED" "$md:10: FAILED (snippet at line 10): SyntaxError: the \`\`\`python fence opened at line 9 is not closed: line 12" \
    "$md:17: FAILED" "0 passed, 3 failed"; do
    grep -qF "$expected" <<<"$report" || { echo "the report does not say: $expected"; return 1; }
  done
}

package_java() {
  # pacmak's generated Maven project as it is (its aws-cdk-lib range starts at the library's floor, which Maven
  # Central serves), built and deployed with Maven into a file repository
  local src=$dist/java-src/java
  jsii-pacmak --target java --code-only --outdir "$dist/java-src" || return 1
  grep -A1 '<artifactId>aws-cdk-lib</artifactId>' "$src/pom.xml" | grep -o '<version>.*</version>'
  (cd "$src" && "${mvn[@]}" deploy "-DaltDeploymentRepository=local::default::file://$root/$dist/java") || return 1
  # Maven copies a release version into its local repository once and never looks again: drop the copy of the
  # previous run so the consumer resolves the jar just built
  rm -rf "$m2_repo/io/github/cdk-account-invitations"
}
synth_java() { (cd examples/java && CDK_OUTDIR="$root/$out/java" "${mvn[@]}" compile exec:java); }

package_go() {
  # the module's code, compiled by the consumer (synth-go). Not pacmak's own build: its `go mod tidy` loads the whole
  # module graph of the floor (awscdk v2.262.0), and the Go module proxy here refuses some of the floor's transitive
  # modules (cloud-assembly-schema-go v54.26.0: 403); a consumer's build selects its own, newer awscdk and never
  # needs them (Go prunes the module graph)
  jsii-pacmak --target go --code-only --outdir "$dist" || return 1
  grep -E 'awscdk/v2 |constructs/v10 ' "$dist/go/cdkaccountinvitations/go.mod"
}
synth_go() { (cd examples/go && CDK_OUTDIR="$root/$out/go" go run .); }

compare() {
  local args=("typescript=$out/typescript")
  for lang in python java go; do want $lang && args+=("$lang=$out/$lang"); done
  node scripts/compare-templates.js "${args[@]}"
}

# the comparison's own control: a template with one changed property and one changed asset hash must fail it, and
# the failure must name the resource and the property
compare_detects_difference() {
  local mutated=$out/mutated report
  rm -rf "$mutated" && cp -r "$out/typescript" "$mutated"
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    const file = fs.readdirSync(dir).find((f) => f.endsWith(".template.json"));
    const t = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const [id, r] = Object.entries(t.Resources).find(([, r]) => r.Type.startsWith("Custom::"));
    const key = Object.keys(r.Properties).find((k) => k !== "ServiceToken");
    r.Properties[key] = "changed";
    const [fnId, fn] = Object.entries(t.Resources).find(([, r]) => r.Type === "AWS::Lambda::Function");
    fn.Properties.Code.S3Key = "0".repeat(64) + ".zip";
    fs.writeFileSync(path.join(dir, file), JSON.stringify(t));
    fs.writeFileSync(path.join(dir, "expect.txt"), `${id} (${r.Type}) Properties.${key}:\n${fnId} (AWS::Lambda::Function) Properties.Code.S3Key:\n`);
  ' "$mutated" || return 1
  if report=$(node scripts/compare-templates.js "typescript=$out/typescript" "mutated=$mutated"); then
    echo "the comparison passed a changed template"; return 1
  fi
  echo "$report"
  while read -r line; do
    grep -qF "$line" <<<"$report" || { echo "the report does not name: $line"; return 1; }
  done <"$mutated/expect.txt"
}

tier_start=$(date +%s)
if [ "${LANGUAGES_SKIP_BUILD:-}" != 1 ]; then step build-library build_library || true; fi
[ -f .jsii ] && [ -d assets/lambda ] || echo "no compiled library (.jsii, assets/): run npx projen build first" >&2
step synth-typescript synth_typescript || true
if want python; then
  step python-venv python_venv && step package-python package_python && step install-python-fresh install_python_fresh \
    && step install-python install_python && step synth-python synth_python && step test-python test_python
  step readme-python readme_python && cat "$logs/readme-python.log"
  step readme-python-detects-failure readme_python_detects_failure || true
fi
if want java; then step package-java package_java && step synth-java synth_java; fi
if want go; then step package-go package_go && step synth-go synth_go; fi
step compare-templates compare && cat "$logs/compare-templates.log"
step compare-detects-difference compare_detects_difference || true


# a step that never ran, because an earlier step of its language failed, is a failure too
expected=(synth-typescript compare-templates compare-detects-difference)
[ "${LANGUAGES_SKIP_BUILD:-}" != 1 ] && expected+=(build-library)
want python && expected+=(python-venv package-python install-python-fresh install-python synth-python test-python readme-python readme-python-detects-failure)
want java && expected+=(package-java synth-java)
want go && expected+=(package-go synth-go)
echo "language tier: $(( $(date +%s) - tier_start ))s; downloads cached in ${LANGUAGES_CACHE:-the home directory} (pip, Maven, Go) and $venv"
finish languages test-reports/languages.xml "${expected[@]}"
