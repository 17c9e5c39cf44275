import type { MachineInfo } from './machine';

export interface BenchContext {
  machine: MachineInfo;
  /** Progress within the running case, 0..1. */
  progress(fraction: number): void;
  /** Work files kept between runs (built models, the bench page). */
  cacheDir: string;
  /** The repository root. */
  root: string;
}

export interface CaseResult {
  /** The case's section of docs/BENCHMARKS.md, without its heading. */
  markdown: string;
  /** The raw numbers, written next to the report. */
  data: unknown;
}

export interface BenchCase {
  id: string;
  title: string;
  /** Rough duration on the reference 2-core machine: weights the overall progress bar and its ETA. */
  expectedSeconds: number;
  run(ctx: BenchContext): Promise<CaseResult>;
}

/** A markdown table from a header and rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
