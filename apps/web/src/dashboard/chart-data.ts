import { numberField, perSetOf, type MetricsRow } from './metrics-row';

/** uPlot's column layout: the x values (rounds) first, then one array per series; null is a gap. */
export interface ChartData {
  labels: string[];
  columns: [number[], ...(number | null)[][]];
}

const percent = (x: number | null) => (x === null ? null : 100 * x);
/** A log-scaled axis cannot show zero or less; such values become gaps. */
const positive = (x: number | null) => (x !== null && x > 0 ? x : null);

function build(rows: readonly MetricsRow[], series: { label: string; value: (row: MetricsRow) => number | null }[]): ChartData {
  return {
    labels: series.map((s) => s.label),
    columns: [rows.map((r) => r.round), ...series.map((s) => rows.map(s.value))],
  };
}

/** Global accuracy, the held-out style's accuracy, and zero-shot CLIP as the reference the adapter must beat. */
export function accuracyChartData(rows: readonly MetricsRow[]): ChartData {
  return build(rows, [
    { label: 'Global accuracy', value: (r) => percent(numberField(r, 'accuracy')) },
    { label: 'Held-out style', value: (r) => percent(numberField(r, 'heldOutAccuracy')) },
    { label: 'Zero-shot CLIP', value: (r) => percent(numberField(r, 'zeroShotAccuracy')) },
  ]);
}

/** One series per evaluation set, in the order the sets first appear. */
export function perSetChartData(rows: readonly MetricsRow[]): ChartData {
  const names: string[] = [];
  for (const r of rows) for (const name of Object.keys(perSetOf(r))) if (!names.includes(name)) names.push(name);
  return build(
    rows,
    names.map((name) => ({ label: name, value: (r: MetricsRow) => percent(perSetOf(r)[name] ?? null) })),
  );
}

export function trafficChartData(rows: readonly MetricsRow[]): ChartData {
  return build(rows, [
    { label: 'Uploaded (all clients)', value: (r) => numberField(r, 'bytesUp') },
    { label: 'Downloaded (all clients)', value: (r) => numberField(r, 'bytesDown') },
  ]);
}

/** Round time (dominated by the slowest client) next to the server's own steps, on a log scale. */
export function timingChartData(rows: readonly MetricsRow[]): ChartData {
  return build(rows, [
    { label: 'Whole round', value: (r) => positive(numberField(r, 'roundMs')) },
    { label: 'Aggregate', value: (r) => positive(numberField(r, 'aggregateMs')) },
    { label: 'Evaluate', value: (r) => positive(numberField(r, 'evalMs')) },
  ]);
}
