/** A small line chart as standalone SVG (no dependencies): accuracy per round for a few methods. */
export interface ChartSeries {
  label: string;
  /** y per x; null leaves a gap. */
  points: { x: number; y: number | null }[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** y range; defaults to the data's, padded. */
  yMin?: number;
  yMax?: number;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '', '4 4', '1 2'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

/** Round numbers for axis ticks: about `count` steps of 1, 2 or 5 × 10^k. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(+v.toFixed(10));
  return ticks;
}

export function lineChartSvg(series: readonly ChartSeries[], opts: ChartOptions): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 360;
  const m = { left: 56, right: 170, top: 34, bottom: 46 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y): y is number => y !== null && Number.isFinite(y));
  if (xs.length === 0 || ys.length === 0) throw new Error(`chart "${opts.title}" has no data`);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const pad = Math.max(1, (Math.max(...ys) - Math.min(...ys)) * 0.08);
  const y0 = opts.yMin ?? Math.floor(Math.min(...ys) - pad);
  const y1 = opts.yMax ?? Math.ceil(Math.max(...ys) + pad);
  const px = (x: number) => m.left + ((x - x0) / Math.max(1e-9, x1 - x0)) * (W - m.left - m.right);
  const py = (y: number) => H - m.bottom - ((y - y0) / Math.max(1e-9, y1 - y0)) * (H - m.top - m.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${m.left}" y="20" font-size="14" font-weight="bold">${esc(opts.title)}</text>`,
  ];
  for (const t of niceTicks(y0, y1)) {
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${fmt(py(t))}" y2="${fmt(py(t))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${fmt(py(t) + 4)}" text-anchor="end">${t}</text>`);
  }
  for (const t of niceTicks(x0, x1, Math.min(10, Math.max(1, x1 - x0))).filter(Number.isInteger)) {
    out.push(`<text x="${fmt(px(t))}" y="${H - m.bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`);
  out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 8}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const dash = DASHES[i % DASHES.length];
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (p.y === null || !Number.isFinite(p.y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${fmt(px(p.x))} ${fmt(py(p.y))} `;
      pen = true;
    }
    out.push(`<path d="${d.trim()}" fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    for (const p of s.points) if (p.y !== null && Number.isFinite(p.y)) out.push(`<circle cx="${fmt(px(p.x))}" cy="${fmt(py(p.y))}" r="2.5" fill="${colour}"/>`);
    const ly = m.top + 10 + i * 18;
    out.push(`<line x1="${W - m.right + 12}" x2="${W - m.right + 36}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    out.push(`<text x="${W - m.right + 42}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
