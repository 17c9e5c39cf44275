import { accuracyChartData, perSetChartData, timingChartData, trafficChartData } from './chart-data';
import { byId } from './dom';
import { formatBytes, formatDuration } from './format';
import { LineChart } from './line-chart';
import type { MetricsRow } from './metrics-row';

/** Colours that stay apart for common colour-vision deficiencies (Okabe–Ito), darkened for white backgrounds. */
const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#7a6a00', '#56b4e9', '#000000', '#e69f00'];
const pct = (v: number) => `${v.toFixed(0)} %`;

/** The four live charts of a run: accuracy, per-set accuracy, traffic and timings. */
export class ChartsPanel {
  private readonly accuracy = new LineChart(byId('chart-accuracy'), {
    y: 'percent',
    format: pct,
    colors: ['#0072b2', '#009e73', '#57606a'],
    dashed: ['Zero-shot CLIP'],
  });
  private readonly perSet = new LineChart(byId('chart-per-set'), { y: 'percent', format: pct, colors: PALETTE });
  private readonly traffic = new LineChart(byId('chart-traffic'), {
    y: 'bytes',
    format: formatBytes,
    colors: ['#d55e00', '#0072b2'],
    // Up and down are often equal (the same adapter both ways): dashes keep both lines visible.
    dashed: ['Downloaded (all clients)'],
  });
  private readonly timing = new LineChart(byId('chart-timing'), {
    y: 'log-ms',
    format: formatDuration,
    colors: ['#57606a', '#cc79a7', '#009e73'],
  });

  update(rows: readonly MetricsRow[]): void {
    this.accuracy.update(accuracyChartData(rows));
    this.perSet.update(perSetChartData(rows));
    this.traffic.update(trafficChartData(rows));
    this.timing.update(timingChartData(rows));
  }
}
