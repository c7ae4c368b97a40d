#!/usr/bin/env node
// Reads Jest's --json output and fails unless every test passed and the Postgres suites ran:
// storage tests are named by dialect (describe.each(TEST_DIALECTS)), so passing tests whose full
// name contains "postgres" prove NAVPLANE_TEST_POSTGRES_URL was used.
const { readFileSync } = require('node:fs');

const file = process.argv[2];
let results;
try {
  results = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`check-test-results: cannot read ${file}: ${error.message}`);
  process.exit(1);
}
const tests = results.testResults.flatMap((suite) => suite.assertionResults);
const passed = tests.filter((t) => t.status === 'passed');
const failed = tests.filter((t) => t.status === 'failed');
const skipped = tests.length - passed.length - failed.length;
const postgresPassed = passed.filter((t) => /postgres/i.test(t.fullName)).length;
const brokenSuites = results.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0);

console.log(`postgres tests passed: ${postgresPassed}`);
console.log(`${passed.length} passed, ${failed.length + brokenSuites.length} failed, ${skipped} skipped`);
if (failed.length > 0 || brokenSuites.length > 0 || !results.success) {
  for (const suite of brokenSuites) console.error(`suite failed to run: ${suite.name}`);
  process.exit(1);
}
if (passed.length === 0) {
  console.error('check-test-results: no test ran');
  process.exit(1);
}
if (postgresPassed === 0) {
  console.error('check-test-results: the Postgres suites did not run (is NAVPLANE_TEST_POSTGRES_URL set?)');
  process.exit(1);
}
