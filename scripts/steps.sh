# Sourced by the tiers that run a series of checks (scripts/languages/run.sh, scripts/test-newest.sh).
#   step NAME COMMAND...          runs one check, logs it to $logs/NAME.log, records pass/fail and seconds in $results
#   finish SUITE REPORT NAME...   records the named steps that never ran (an earlier step failed) as failures, writes
#                                 $results as the JUnit report REPORT (for .ci/run's closing line) and prints
#                                 "SUITE: N passed, N failed"; returns 1 on any failure
# The caller sets $logs and $results (and creates them) before the first step.

step() {
  local name=$1
  shift
  local start rc secs
  start=$(date +%s%N)
  "$@" >"$logs/$name.log" 2>&1
  rc=$?
  secs=$(awk "BEGIN { printf \"%.1f\", ($(date +%s%N) - $start) / 1e9 }")
  if [ $rc -eq 0 ]; then
    printf '%-26s ok    %6ss\n' "$name" "$secs"
    printf '%s\tpassed\t%s\t\n' "$name" "$secs" >>"$results"
  else
    printf '%-26s FAIL  %6ss  (log: %s)\n' "$name" "$secs" "$logs/$name.log"
    tail -n 40 "$logs/$name.log" | sed 's/^/    /'
    printf '%s\tfailed\t%s\t%s\n' "$name" "$secs" "see $logs/$name.log" >>"$results"
  fi
  return $rc
}

finish() {
  local suite=$1 report=$2
  shift 2
  local name passed failed
  for name in "$@"; do
    cut -f1 "$results" | grep -qx "$name" || printf '%s\tfailed\t0\tnot run: an earlier step failed\n' "$name" >>"$results"
  done
  mkdir -p "$(dirname "$report")"
  node -e '
const fs = require("fs");
const [file, report, suite] = process.argv.slice(1);
const rows = fs.readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => l.split("\t"));
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
const failed = rows.filter((r) => r[1] !== "passed").length;
const cases = rows.map(([name, status, secs, msg]) => `    <testcase classname="${suite}" name="${esc(name)}" time="${secs}">` +
  (status === "passed" ? "" : `<failure message="${esc(msg || "failed")}"/>`) + "</testcase>").join("\n");
fs.writeFileSync(report, `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${suite}" tests="${rows.length}" failures="${failed}" errors="0" skipped="0">\n  <testsuite name="${suite}" tests="${rows.length}" failures="${failed}">\n${cases}\n  </testsuite>\n</testsuites>\n`);
' "$results" "$report" "$suite"
  passed=$(grep -c $'\tpassed\t' "$results")
  failed=$(grep -vc $'\tpassed\t' "$results")
  echo "$suite: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
