/** A sample of repeated measurements, summarised the way every table in docs/BENCHMARKS.md shows them. */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
}

export class EmptySampleError extends Error {
  override name = 'EmptySampleError';
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new EmptySampleError('no measurement to summarise');
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, median: quantile(s, 0.5), min: s[0], max: s[s.length - 1], q1: quantile(s, 0.25), q3: quantile(s, 0.75) };
}

/** Three significant digits, without exponent notation for the sizes that occur here. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

/** "median (min–max, n)" — the spread is the full range; n is the number of timed runs. */
export function fmtSummary(s: Summary, unit = ''): string {
  const u = unit ? ` ${unit}` : '';
  if (s.n === 1) return `${fmt(s.median)}${u} (1 run)`;
  return `${fmt(s.median)}${u} (${fmt(s.min)}–${fmt(s.max)}, n=${s.n})`;
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed; returns milliseconds per run. */
export async function timeRuns(fn: () => unknown, runs: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}
