/** Mean and sample standard deviation (n − 1); the std of a single value is 0. */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** "72.3 ± 1.2" in percent; "–" when there is nothing to show. */
export function formatPercent(values: readonly (number | null | undefined)[], digits = 1): string {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return '–';
  const { mean, std } = meanStd(xs);
  return xs.length > 1 ? `${(100 * mean).toFixed(digits)} ± ${(100 * std).toFixed(digits)}` : (100 * mean).toFixed(digits);
}
