/**
 * Plain float64 JavaScript versions of the formulas, written independently of tfjs, used by the
 * tests as ground truth (and for finite differences, which float32 tensors are too coarse for).
 */

export interface RefAdapter {
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

/** I* = normalise(softmax(tanh(x·W1 + b1)·W2 + b2) ⊙ x), row by row; W input-major [d, d]. */
export function refAdapt(p: RefAdapter, x: Float64Array, d: number): Float64Array {
  const n = x.length / d;
  const out = new Float64Array(n * d);
  const h = new Float64Array(d);
  const z = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const xr = x.subarray(r * d, (r + 1) * d);
    for (let j = 0; j < d; j++) {
      let s = p.b1[j];
      for (let i = 0; i < d; i++) s += xr[i] * p.w1[i * d + j];
      h[j] = Math.tanh(s);
    }
    let zmax = -Infinity;
    for (let j = 0; j < d; j++) {
      let s = p.b2[j];
      for (let i = 0; i < d; i++) s += h[i] * p.w2[i * d + j];
      z[j] = s;
      zmax = Math.max(zmax, s);
    }
    let zsum = 0;
    for (let j = 0; j < d; j++) zsum += Math.exp(z[j] - zmax);
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = (Math.exp(z[j] - zmax) / zsum) * xr[j];
      out[r * d + j] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < d; j++) out[r * d + j] /= norm;
  }
  return out;
}

export function refNormalizeRows(x: Float64Array, d: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r * d + j] ** 2;
    s = Math.sqrt(s);
    for (let j = 0; j < d; j++) out[r * d + j] = x[r * d + j] / s;
  }
  return out;
}

/** logits[i][j] = scale · a_i · b_j for row sets a [n, d], b [m, d]. */
export function refLogits(a: Float64Array, b: Float64Array, d: number, scale: number): number[][] {
  const n = a.length / d;
  const m = b.length / d;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += a[i * d + k] * b[j * d + k];
      row.push(scale * s);
    }
    out.push(row);
  }
  return out;
}

export function refLogSumExp(v: number[]): number {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
}

/** The textbook CLIP loss: mean of image→text and text→image cross-entropies, targets on the diagonal. */
export function refClipLoss(img: Float64Array, txt: Float64Array, d: number, scale: number): number {
  const L = refLogits(refNormalizeRows(img, d), refNormalizeRows(txt, d), d, scale);
  const b = L.length;
  let rows = 0;
  let cols = 0;
  for (let k = 0; k < b; k++) {
    rows += refLogSumExp(L[k]) - L[k][k];
    const col = L.map((r) => r[k]);
    cols += refLogSumExp(col) - L[k][k];
  }
  return (rows / b + cols / b) / 2;
}

/** α·T²·mean_i KL(softmax(t_i/T) ‖ softmax(s_i/T)). */
export function refKdLoss(student: number[][], teacher: number[][], T: number, alpha: number): number {
  let kl = 0;
  for (let i = 0; i < student.length; i++) {
    const s = student[i].map((v) => v / T);
    const t = teacher[i].map((v) => v / T);
    const ls = refLogSumExp(s);
    const lt = refLogSumExp(t);
    for (let c = 0; c < s.length; c++) {
      const logQt = t[c] - lt;
      kl += Math.exp(logQt) * (logQt - (s[c] - ls));
    }
  }
  return (alpha * T * T * kl) / student.length;
}

/** CLIP-Adapter in float64: normalise(α·ReLU(ReLU(x·Wd)·Wu) + (1−α)·x), row by row; Wd [d, r], Wu [r, d]. */
export function refClipAdapt(down: Float64Array, up: Float64Array, x: Float64Array, d: number, ratio = 0.2): Float64Array {
  const r = down.length / d;
  const n = x.length / d;
  const out = new Float64Array(n * d);
  const h = new Float64Array(r);
  for (let row = 0; row < n; row++) {
    const xr = x.subarray(row * d, (row + 1) * d);
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += xr[i] * down[i * r + j];
      h[j] = Math.max(0, s);
    }
    let norm = 0;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < r; i++) s += h[i] * up[i * d + j];
      const v = ratio * Math.max(0, s) + (1 - ratio) * xr[j];
      out[row * d + j] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < d; j++) out[row * d + j] /= norm;
  }
  return out;
}

/** Mean cross-entropy of logits rows against labels. */
export function refCrossEntropy(logits: number[][], labels: readonly number[]): number {
  let s = 0;
  logits.forEach((row, i) => {
    s += refLogSumExp(row) - row[labels[i]];
  });
  return s / logits.length;
}
