import { describe, expect, it } from 'vitest';
import { lineChartSvg, niceTicks } from './svg-chart';

describe('line chart SVG', () => {
  it('picks round tick values', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(61, 79, 5)).toEqual([65, 70, 75]);
  });

  it('draws one path and one legend entry per series, with gaps for missing points, and escapes labels', () => {
    const svg = lineChartSvg(
      [
        { label: 'FedCLIP', points: [{ x: 0, y: 60 }, { x: 1, y: 65 }, { x: 2, y: 70 }] },
        { label: 'local <own>', points: [{ x: 0, y: 60 }, { x: 1, y: null }, { x: 2, y: 62 }] },
      ],
      { title: 'held-out', xLabel: 'round', yLabel: 'accuracy (%)' },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('local &lt;own&gt;');
    // The gap starts a new sub-path instead of drawing through the missing round.
    const second = svg.match(/<path d="([^"]+)"/g)![1];
    expect(second.match(/M/g)).toHaveLength(2);
  });

  it('refuses an empty chart with its title', () => {
    expect(() => lineChartSvg([], { title: 'empty one', xLabel: 'x', yLabel: 'y' })).toThrow(/empty one/);
  });
});
