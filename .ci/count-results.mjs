// Sums the vitest and Playwright JSON reports into the one summary line CI reads.
import { existsSync, readFileSync } from 'node:fs';

const rc = Number(process.argv[2] ?? 0);
let passed = 0;
let failed = 0;

if (existsSync('test-results/unit.json')) {
  const unit = JSON.parse(readFileSync('test-results/unit.json', 'utf8'));
  passed += unit.numPassedTests ?? 0;
  // A file that fails to load has no failing test of its own but is still a failure.
  const brokenFiles = (unit.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  failed += (unit.numFailedTests ?? 0) + brokenFiles;
}
if (existsSync('test-results/e2e-report.json')) {
  const e2e = JSON.parse(readFileSync('test-results/e2e-report.json', 'utf8'));
  passed += e2e.stats?.expected ?? 0;
  failed += (e2e.stats?.unexpected ?? 0) + (e2e.stats?.flaky ?? 0);
  if (e2e.errors?.length) failed += e2e.errors.length;
}
// A non-zero exit with nothing counted as failed (a type error, a crashed runner) is still one failure.
if (rc !== 0 && failed === 0) failed = 1;
console.log(`tests: ${passed} passed, ${failed} failed`);
