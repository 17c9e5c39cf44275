import { mainHeadName, type ClientModelName } from '@clipfed/protocol';
import { nestedNumber, numberField, perSetOf, type MetricsRow } from './metrics-row';

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

type Series = { label: string; value: (row: MetricsRow) => number | null };

/** Keeps only the series some row has a value for: a run without a held-out style or a balanced head shows none. */
function reported(rows: readonly MetricsRow[], series: Series[]): Series[] {
  return series.filter((s) => rows.some((r) => s.value(r) !== null));
}

export const ACCURACY_LABELS = {
  global: 'Global accuracy (text prototypes)',
  heldOut: 'Held-out style',
  balanced: 'Balanced head (CLIP2FL / CReFF)',
  zeroShot: 'Zero-shot CLIP',
} as const;

/**
 * What the model's own head is called in the charts: the text prototypes of an adapter, the FedAvg head of CLIP2FL's
 * student (its own classifier).
 */
export function ownHeadLabels(clientModel: ClientModelName = 'fedclip-adapter'): { accuracy: string; shots: string } {
  const head = mainHeadName(clientModel);
  return { accuracy: `Global accuracy (${head})`, shots: head.charAt(0).toUpperCase() + head.slice(1) };
}

/**
 * Every head the run reports (the model's own: text prototypes or the student's FedAvg head; and the balanced head
 * of CLIP2FL and CReFF runs), the held-out style's accuracy where the dataset has one (EmojiDomains), and zero-shot
 * CLIP as the reference the model must beat.
 */
export function accuracyChartData(
  rows: readonly MetricsRow[],
  opts: { heldOutStyle: boolean; clientModel?: ClientModelName } = { heldOutStyle: true },
): ChartData {
  return build(
    rows,
    reported(rows, [
      { label: ownHeadLabels(opts.clientModel).accuracy, value: (r) => percent(numberField(r, 'accuracy')) },
      // Fashion-MNIST-LT evaluates on one balanced test set, which the server counts as held out: its "held-out"
      // accuracy is the global one again, and no style is held out.
      ...(opts.heldOutStyle ? [{ label: ACCURACY_LABELS.heldOut, value: (r: MetricsRow) => percent(numberField(r, 'heldOutAccuracy')) }] : []),
      { label: ACCURACY_LABELS.balanced, value: (r) => percent(nestedNumber(r, 'balancedHead.accuracy')) },
      { label: ACCURACY_LABELS.zeroShot, value: (r) => percent(numberField(r, 'zeroShotAccuracy')) },
    ]),
  );
}

const SHOT_GROUPS = [
  ['many', 'many-shot'],
  ['medium', 'medium-shot'],
  ['few', 'few-shot'],
] as const;

/**
 * Long-tailed runs: accuracy on the classes grouped by how many training images they have (many, medium, few),
 * for each head (the model's own, the balanced one) and for zero-shot CLIP. Empty (no series) for runs whose task has no long tail.
 */
export function shotsChartData(rows: readonly MetricsRow[], clientModel?: ClientModelName): ChartData {
  const heads = [
    ['shots', ownHeadLabels(clientModel).shots],
    ['balancedHead.shots', 'Balanced head'],
    ['zeroShotShots', 'Zero-shot'],
  ] as const;
  return build(
    rows,
    reported(
      rows,
      heads.flatMap(([path, head]) =>
        SHOT_GROUPS.map(([key, group]) => ({ label: `${head}, ${group}`, value: (r: MetricsRow) => percent(nestedNumber(r, `${path}.${key}`)) })),
      ),
    ),
  );
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
