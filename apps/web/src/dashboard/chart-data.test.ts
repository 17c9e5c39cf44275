import { describe, expect, it } from 'vitest';
import { accuracyChartData, perSetChartData, shotsChartData, timingChartData, trafficChartData } from './chart-data';
import type { MetricsRow } from './metrics-row';

const rows: MetricsRow[] = [
  { round: 0, accuracy: 0.5, heldOutAccuracy: 0.4, zeroShotAccuracy: 0.5, perSet: { noto: 0.6, 'openmoji (held out)': 0.4 }, participants: [] },
  {
    round: 1,
    accuracy: 0.6,
    heldOutAccuracy: null,
    zeroShotAccuracy: 0.5,
    perSet: { noto: 0.7, 'openmoji (held out)': 0.5, twemoji: 0.8 },
    bytesUp: 4_000_000,
    bytesDown: 4_100_000,
    roundMs: 1200,
    aggregateMs: 0.8,
    evalMs: 0,
  },
];

describe('chart data', () => {
  it('plots accuracy in percent with zero-shot CLIP as a reference series, one point per round', () => {
    const d = accuracyChartData(rows);
    expect(d.labels).toEqual(['Global accuracy (text prototypes)', 'Held-out style', 'Zero-shot CLIP']);
    expect(d.columns[0]).toEqual([0, 1]);
    expect(d.columns[1]).toEqual([50, 60]);
    expect(d.columns[2]).toEqual([40, null]);
    expect(d.columns[3]).toEqual([50, 50]);
  });

  it('gives each evaluation set its own series, with gaps where a round lacks the set', () => {
    const d = perSetChartData(rows);
    expect(d.labels).toEqual(['noto', 'openmoji (held out)', 'twemoji']);
    expect(d.columns[1][1]).toBeCloseTo(70);
    expect(d.columns[3]).toEqual([null, 80]);
  });

  it('leaves round 0 (evaluation only) without traffic', () => {
    expect(trafficChartData(rows).columns.slice(1)).toEqual([
      [null, 4_000_000],
      [null, 4_100_000],
    ]);
  });

  it('turns timings a log axis cannot show into gaps', () => {
    expect(timingChartData(rows).columns.slice(1)).toEqual([
      [null, 1200],
      [null, 0.8],
      [null, null],
    ]);
  });

  it('charts the balanced head of a CLIP2FL run next to the text-prototype head, and no held-out line without a held-out style', () => {
    const clip2fl: MetricsRow[] = [
      { round: 0, accuracy: 0.7, heldOutAccuracy: 0.7, zeroShotAccuracy: 0.7, balancedHead: { accuracy: 0.65, shots: { many: 0.9, medium: 0.6, few: null } } },
      { round: 1, accuracy: 0.72, heldOutAccuracy: 0.72, zeroShotAccuracy: 0.7, balancedHead: { accuracy: 0.75, shots: { many: 0.85, medium: 0.7, few: 0.5 } }, shots: { many: 0.95, medium: 0.6, few: 0.2 } },
    ];
    const d = accuracyChartData(clip2fl, { heldOutStyle: false });
    expect(d.labels).toEqual(['Global accuracy (text prototypes)', 'Balanced head (CLIP2FL / CReFF)', 'Zero-shot CLIP']);
    expect(d.columns[2]).toEqual([65, 75]);
    const s = shotsChartData(clip2fl);
    expect(s.labels).toEqual([
      'Text prototypes, many-shot',
      'Text prototypes, medium-shot',
      'Text prototypes, few-shot',
      'Balanced head, many-shot',
      'Balanced head, medium-shot',
      'Balanced head, few-shot',
    ]);
    expect(s.columns[3]).toEqual([null, 20]);
    expect(s.columns[6]).toEqual([null, 50]);
  });

  it("names the student's own head the FedAvg head, in both charts", () => {
    const student: MetricsRow[] = [{ round: 1, accuracy: 0.3, heldOutAccuracy: 0.3, zeroShotAccuracy: 0.88, shots: { many: 0.5, medium: 0.1, few: 0 }, balancedHead: { accuracy: 0.32, shots: { many: 0.4, medium: 0.2, few: 0.1 } } }];
    expect(accuracyChartData(student, { heldOutStyle: false, clientModel: 'student-resnet8' }).labels).toEqual(['Global accuracy (FedAvg head)', 'Balanced head (CLIP2FL / CReFF)', 'Zero-shot CLIP']);
    expect(shotsChartData(student, 'student-resnet8').labels.slice(0, 3)).toEqual(['FedAvg head, many-shot', 'FedAvg head, medium-shot', 'FedAvg head, few-shot']);
  });

  it('has no long-tail series for a run without one', () => {
    expect(shotsChartData(rows).labels).toEqual([]);
  });
});
