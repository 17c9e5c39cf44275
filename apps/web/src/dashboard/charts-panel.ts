import type { RunConfig } from '@clipfed/protocol';
import { ACCURACY_LABELS, accuracyChartData, ownHeadLabels, perSetChartData, shotsChartData, timingChartData, trafficChartData } from './chart-data';
import { byId } from './dom';
import { formatBytes, formatDuration } from './format';
import { LineChart } from './line-chart';
import type { MetricsRow } from './metrics-row';

/** Colours that stay apart for common colour-vision deficiencies (Okabe–Ito), darkened for white backgrounds. */
const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#7a6a00', '#56b4e9', '#000000', '#e69f00'];
const pct = (v: number) => `${v.toFixed(0)} %`;

/** Heads keep one colour whichever of them a run reports; zero-shot stays grey and dashed. */
const ACCURACY_COLORS: Record<string, string> = {
  [ACCURACY_LABELS.global]: '#0072b2',
  [ownHeadLabels('student-resnet8').accuracy]: '#0072b2',
  [ACCURACY_LABELS.heldOut]: '#009e73',
  [ACCURACY_LABELS.balanced]: '#d55e00',
  [ACCURACY_LABELS.zeroShot]: '#57606a',
};

/** The projector view's accuracy chart takes what the screen's height allows next to the join code. */
const projectorChartHeight = () => Math.max(220, Math.round(window.innerHeight * 0.42));

/**
 * The live charts of a run: accuracy of every head, accuracy per long-tail group (long-tailed runs only),
 * per-set accuracy, traffic and timings.
 */
export class ChartsPanel {
  private readonly accuracy: LineChart;
  private readonly shots = new LineChart(byId('chart-shots'), {
    y: 'percent',
    format: pct,
    // One colour per group (many, medium, few), repeated for each head: the text-prototype head solid, the
    // balanced head dotted, zero-shot dashed.
    colors: PALETTE,
    colorOf: Object.fromEntries(
      ['Text prototypes', ownHeadLabels('student-resnet8').shots, 'Balanced head', 'Zero-shot'].flatMap((head) =>
        [
          ['many-shot', '#0072b2'],
          ['medium-shot', '#009e73'],
          ['few-shot', '#d55e00'],
        ].map(([group, color]) => [`${head}, ${group}`, color]),
      ),
    ),
    dotted: ['Balanced head, many-shot', 'Balanced head, medium-shot', 'Balanced head, few-shot'],
    dashed: ['Zero-shot, many-shot', 'Zero-shot, medium-shot', 'Zero-shot, few-shot'],
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

  constructor(opts: { projector: boolean }) {
    this.accuracy = new LineChart(byId('chart-accuracy'), {
      y: 'percent',
      format: pct,
      colors: PALETTE,
      colorOf: ACCURACY_COLORS,
      dashed: [ACCURACY_LABELS.zeroShot],
      height: opts.projector ? projectorChartHeight : undefined,
    });
  }

  update(rows: readonly MetricsRow[], config: Pick<RunConfig, 'dataset' | 'clientModel'>): void {
    this.accuracy.update(accuracyChartData(rows, { heldOutStyle: config.dataset === 'emoji-domains', clientModel: config.clientModel }));
    const shots = shotsChartData(rows, config.clientModel);
    byId('chart-shots').hidden = shots.labels.length === 0;
    if (shots.labels.length > 0) this.shots.update(shots);
    this.perSet.update(perSetChartData(rows));
    this.traffic.update(trafficChartData(rows));
    this.timing.update(timingChartData(rows));
  }
}
