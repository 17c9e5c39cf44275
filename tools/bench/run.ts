/**
 * `npm run bench`: measures the client, server and scaling costs side by side on this machine and writes
 * docs/BENCHMARKS.md (and the raw numbers next to it as BENCHMARKS.json).
 *
 *   npm run bench                         every case (about 10-14 minutes on a 2-core machine)
 *   npm run bench -- --only aggregation   some cases; the report goes to test-results/bench/ unless --out is given
 *   npm run bench -- --list               the cases
 *
 * tools/bench/micro/ holds single measurements run by hand outside the report (`npx tsx tools/bench/micro/<name>.ts`);
 * both time with lib/stats.ts and shared/step-timer.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { consoleProgress } from '@clipfed/data';
import type { BenchCase, CaseResult } from './lib/bench-case';
import { machineInfo } from './lib/machine';
import { renderReport } from './lib/report';
import { ALL_CASES } from './cases';

const ROOT = resolve(import.meta.dirname, '../..');

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    skip: { type: 'string' },
    out: { type: 'string' },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help || values.list) {
  console.log(`Usage: npm run bench [-- --only <ids>] [--skip <ids>] [--out <file.md>]\n\nCases:`);
  for (const c of ALL_CASES) console.log(`  ${c.id.padEnd(14)} ${c.title} (~${c.expectedSeconds} s)`);
  process.exit(0);
}

const pick = (list: string | undefined) => new Set((list ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const only = pick(values.only);
const skip = pick(values.skip);
for (const id of [...only, ...skip]) {
  if (!ALL_CASES.some((c) => c.id === id)) {
    console.error(`unknown case "${id}"; cases: ${ALL_CASES.map((c) => c.id).join(', ')}`);
    process.exit(2);
  }
}
const cases: BenchCase[] = ALL_CASES.filter((c) => (only.size === 0 || only.has(c.id)) && !skip.has(c.id));
const partial = cases.length !== ALL_CASES.length;
const out = resolve(values.out ?? (partial ? resolve(ROOT, 'test-results/bench/BENCHMARKS.md') : resolve(ROOT, 'docs/BENCHMARKS.md')));

const machine = machineInfo();
const progress = consoleProgress('bench');
const totalWork = cases.reduce((s, c) => s + c.expectedSeconds, 0);
let workDone = 0;
const results: { case: BenchCase; result?: CaseResult; error?: string; seconds: number }[] = [];
const started = performance.now();

for (const c of cases) {
  const t0 = performance.now();
  const stage = `${c.id} (${results.length + 1}/${cases.length})`;
  progress({ stage, done: Math.round(workDone), total: totalWork });
  try {
    const result = await c.run({
      machine,
      root: ROOT,
      cacheDir: resolve(ROOT, '.cache/bench'),
      progress: (f) => progress({ stage, done: Math.round(workDone + Math.min(1, Math.max(0, f)) * c.expectedSeconds), total: totalWork }),
    });
    results.push({ case: c, result, seconds: (performance.now() - t0) / 1000 });
  } catch (e) {
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`\nbench case ${c.id} failed: ${message}\n`);
    results.push({ case: c, error: e instanceof Error ? e.message : String(e), seconds: (performance.now() - t0) / 1000 });
  }
  workDone += c.expectedSeconds;
  progress({ stage, done: Math.round(workDone), total: totalWork });
}

const totalSeconds = (performance.now() - started) / 1000;
const report = renderReport({ machine, results, totalSeconds, loadAverageAfter: loadavg()[0], partial });
await mkdir(dirname(out), { recursive: true });
await writeFile(out, report.markdown);
await writeFile(out.replace(/\.md$/, '.json'), `${JSON.stringify(report.json, null, 1)}\n`);
console.log(`\nwrote ${out} (${(totalSeconds / 60).toFixed(1)} min)`);
const failed = results.filter((r) => r.error);
if (failed.length) {
  console.error(`${failed.length} case(s) failed: ${failed.map((r) => r.case.id).join(', ')}`);
  process.exit(1);
}
process.exit(0);
