#!/usr/bin/env node
// Prints the totals of one or more JUnit XML reports (jest's test-reports/junit.xml, the language tier's
// test-reports/languages.xml, pytest's) as one line, "N passed, N failed, N skipped", for CI harnesses that read a
// closing summary line. A report that is missing counts as one failure (its tests did not run).
const fs = require('fs');
const files = process.argv.length > 2 ? process.argv.slice(2) : ['test-reports/junit.xml'];
let tests = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  if (!fs.existsSync(file)) {
    tests++;
    failed++;
    console.error(`no ${file}: its tests did not run`);
    continue;
  }
  const xml = fs.readFileSync(file, 'utf8');
  // sum the <testsuite> elements (pytest's <testsuites> root carries no totals)
  for (const [suite] of xml.matchAll(/<testsuite\s[^>]*>/g)) {
    const attr = (name) => Number((suite.match(new RegExp(`\\b${name}="(\\d+)"`)) || [])[1] || 0);
    tests += attr('tests');
    failed += attr('failures') + attr('errors');
    skipped += attr('skipped');
  }
}
console.log(`${tests - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
