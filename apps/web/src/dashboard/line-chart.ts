import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from './chart-data';
import { MISSING } from './format';

export type YAxis = 'percent' | 'bytes' | 'log-ms';

export interface LineChartSpec {
  y: YAxis;
  format: (v: number) => string;
  colors: readonly string[];
  /** Colours by label, for series that come and go (a run without a balanced head): each keeps its colour. */
  colorOf?: Readonly<Record<string, string>>;
  /** Series drawn dashed, by label: reference lines such as zero-shot CLIP. */
  dashed?: readonly string[];
  /** Series drawn dotted, by label: a second head beside the first, in the same colours. */
  dotted?: readonly string[];
  /** false: the legend names the series without following the cursor (a phone has no cursor to follow). */
  liveLegend?: boolean;
  /** Height in CSS pixels, asked again on every resize (the projector view fills the screen's height). */
  height?: () => number;
}

const HEIGHT = 220;
/** Whole rounds only on the x axis. */
const ROUND_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

/** Percent axis: zoomed to the data in steps of 10 (a 50 -> 55 % gain must be visible), never past 0..100. */
function percentRange(min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null) return [0, 100];
  return [Math.max(0, Math.floor((min - 5) / 10) * 10), Math.min(100, Math.ceil((max + 5) / 10) * 10)];
}

/** Log axis: ticks at powers of ten only; the default 1-9 ticks per decade crowd a 220 px chart. */
function powersOfTen(_u: uPlot, _axisIdx: number, min: number, max: number): number[] {
  const splits: number[] = [];
  for (let e = Math.ceil(Math.log10(min)); 10 ** e <= max * 1.0001; e++) splits.push(10 ** e);
  return splits;
}

function yScale(y: YAxis): uPlot.Scale {
  if (y === 'percent') return { range: (_u, min, max) => percentRange(min, max) };
  if (y === 'log-ms') {
    return {
      distr: 3,
      // Until a round has closed there is nothing to place on a log axis; show 1 ms to 1 s.
      range: (_u, min, max) => (min === null || max === null || !(min > 0) ? [1, 1000] : uPlot.rangeLog(min, max, 10, true)),
    };
  }
  return { range: (_u, min, max) => [0, max === null || !(max > 0) ? 1 : max * 1.1] };
}

/**
 * A line chart over rounds, drawn with uPlot on a canvas. It follows its container's width, and rebuilds itself
 * only when the set of series changes (per-set accuracy gains a set); new rounds just replace the data.
 */
export class LineChart {
  private plot: uPlot | null = null;
  private labels = '';
  private readonly resize: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly spec: LineChartSpec,
  ) {
    this.resize = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: this.height() }));
    this.resize.observe(container);
  }

  private width(): number {
    return Math.max(240, this.container.clientWidth);
  }

  private height(): number {
    return this.spec.height?.() ?? HEIGHT;
  }

  private options(labels: readonly string[]): uPlot.Options {
    const { format, colors, colorOf = {}, dashed = [], dotted = [] } = this.spec;
    const value = (_u: uPlot, v: number | null) => (v === null || v === undefined ? MISSING : format(v));
    return {
      width: this.width(),
      height: this.height(),
      scales: { x: { time: false, range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, max ?? 1)] }, y: yScale(this.spec.y) },
      series: [
        { label: 'Round', value: (_u, v) => (v === null ? MISSING : String(v)) },
        ...labels.map((label, i) => ({
          label,
          stroke: colorOf[label] ?? colors[i % colors.length],
          width: 2,
          dash: dashed.includes(label) ? [6, 4] : dotted.includes(label) ? [2, 3] : undefined,
          spanGaps: true,
          // Markers help read a few rounds; past a few dozen they only clutter the line.
          points: { show: (_u: uPlot, _s: number, i0: number, i1: number) => i1 - i0 < 40, size: 6 },
          value,
        })),
      ],
      axes: [
        { label: 'round', incrs: ROUND_TICKS, values: (_u, splits) => splits.map((v) => String(v)) },
        {
          size: 64,
          splits: this.spec.y === 'log-ms' ? powersOfTen : undefined,
          values: (_u, splits) => splits.map((v) => (v === null ? '' : format(v))),
        },
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { live: this.spec.liveLegend ?? true },
    };
  }

  update(data: ChartData): void {
    const labels = JSON.stringify(data.labels);
    const columns = data.columns as uPlot.AlignedData;
    if (!this.plot || labels !== this.labels) {
      this.plot?.destroy();
      this.labels = labels;
      this.plot = new uPlot(this.options(data.labels), columns, this.container);
    } else {
      this.plot.setData(columns);
    }
    // For tests and assistive summaries: how many rounds the chart holds.
    this.container.dataset.points = String(data.columns[0].length);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}
