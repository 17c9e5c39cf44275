import { describe, expect, it } from 'vitest';
import { renderSvgs } from './renderer';
import { loadIconifySet } from './sources';
import { iconToSquareSvg } from './svg';

const RED_SQUARE = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8" viewBox="0 0 8 8"><rect x="2" y="2" width="4" height="4" fill="#f00"/></svg>';

describe('iconToSquareSvg', () => {
  it('centres a non-square icon in a square viewBox', () => {
    const svg = iconToSquareSvg({ prefix: 't', width: 36, height: 36, icons: { wide: { body: '<g/>', height: 24 } } }, 'wide', 64);
    expect(svg).toContain('viewBox="0 -6 36 36"');
    expect(svg).toContain('width="64" height="64"');
    expect(() => iconToSquareSvg({ prefix: 't', icons: {} }, 'nope', 64)).toThrow(/"nope" is not in the iconify set "t"/);
  });
});

describe('renderSvgs', () => {
  it('renders RGB on a white background', async () => {
    const { images, failures } = await renderSvgs([{ id: 'sq', svg: RED_SQUARE }], 8);
    expect(failures).toEqual([]);
    const rgb = images.get('sq')!;
    expect(rgb.length).toBe(8 * 8 * 3);
    expect([...rgb.subarray(0, 3)]).toEqual([255, 255, 255]); // corner: white, alpha composited away
    const centre = (4 * 8 + 4) * 3;
    expect([...rgb.subarray(centre, centre + 3)]).toEqual([255, 0, 0]);
  });

  it('survives an SVG that crashes the renderer and one that is invalid, and renders the rest', async () => {
    const noto = loadIconifySet('@iconify-json/noto');
    const jobs = [
      { id: 'before', svg: RED_SQUARE },
      { id: 'crasher', svg: iconToSquareSvg(noto, 'package', 8) }, // makes resvg panic (process abort)
      { id: 'invalid', svg: '<svg' },
      { id: 'after', svg: RED_SQUARE },
    ];
    const progress: number[] = [];
    const { images, failures } = await renderSvgs(jobs, 8, { onRendered: (done) => progress.push(done) });
    expect([...images.keys()].sort()).toEqual(['after', 'before']);
    expect(failures.map((f) => f.id).sort()).toEqual(['crasher', 'invalid']);
    expect(failures.find((f) => f.id === 'crasher')!.reason).toMatch(/renderer died/);
    expect(progress).toEqual([1, 2, 3, 4]);
  });
});
