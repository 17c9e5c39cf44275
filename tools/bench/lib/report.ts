import type { BenchCase, CaseResult } from './bench-case';
import type { MachineInfo } from './machine';
import { fmt } from './stats';

export interface ReportInput {
  machine: MachineInfo;
  results: { case: BenchCase; result?: CaseResult; error?: string; seconds: number }[];
  totalSeconds: number;
  loadAverageAfter: number;
  partial: boolean;
}

export function renderReport(input: ReportInput): { markdown: string; json: unknown } {
  const m = input.machine;
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (tools/bench/run.ts); every number below comes from one run of it.',
    'Medians with the full range and the number of timed runs, `median (min–max, n=…)`; ratios are taken',
    'from measurements made side by side in the same run, never across runs.',
    '',
    `- **Machine:** ${m.cpuModel}, ${m.cores} cores, ${fmt(m.memoryGiB)} GiB memory (${fmt(m.freeMemoryGiB)} GiB free at start), ${m.os}`,
    `- **Software:** Node ${m.node}${m.chromium ? `, ${m.chromium}` : ', no Chromium'}`,
    `- **Date:** ${m.date.slice(0, 16).replace('T', ' ')} UTC; the whole run took ${fmt(input.totalSeconds / 60)} min`,
    `- **Load:** 1-minute load average ${fmt(m.loadAverage)} at the start, ${fmt(input.loadAverageAfter)} at the end (the machine is shared; spreads are wide when it is busy)`,
    ...(input.partial ? ['- **Partial run:** only the cases below were measured.'] : []),
    '',
  ];
  for (const r of input.results) {
    lines.push(`## ${r.case.title}`, '');
    if (r.result) lines.push(r.result.markdown.trim(), '', `<sub>case \`${r.case.id}\`, ${fmt(r.seconds)} s</sub>`, '');
    else lines.push(`**Not measured:** ${r.error}`, '');
  }
  return {
    markdown: `${lines.join('\n').trim()}\n`,
    json: {
      machine: m,
      totalSeconds: input.totalSeconds,
      loadAverageAfter: input.loadAverageAfter,
      cases: Object.fromEntries(input.results.map((r) => [r.case.id, r.result ? { seconds: r.seconds, data: r.result.data } : { error: r.error }])),
    },
  };
}
