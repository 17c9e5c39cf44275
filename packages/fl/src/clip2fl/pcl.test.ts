import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { SeededRandom } from '../random';
import { forEachBackend } from '../testing';
import { refLogSumExp, refNormalizeRows } from '../testing/reference';
import { prototypeContrastiveLoss } from './pcl';

/**
 * SupConLoss_text as the reference computes it, over the full N×N matrix: anchors are the raw
 * features, the contrast set is the normalised text of each sample's label, the diagonal is masked,
 * and positives are the other samples of the anchor's class.
 */
function maskedSupCon(f: Float64Array, labels: number[], text: Float64Array, d: number, tau: number): number {
  const n = labels.length;
  const t = refNormalizeRows(text, d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const logits: number[] = [];
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += f[i * d + k] * t[labels[j] * d + k];
      logits.push(s / tau);
    }
    const others = logits.filter((_, j) => j !== i);
    const lse = refLogSumExp(others);
    let sum = 0;
    let count = 0;
    for (let j = 0; j < n; j++) {
      if (j !== i && labels[j] === labels[i]) {
        sum += logits[j] - lse;
        count++;
      }
    }
    total += -sum / count;
  }
  return total / n;
}

function problem(C: number, perClass: number[], d: number, seed: number, scale = 1) {
  const rng = new SeededRandom(seed);
  const labels = perClass.flatMap((m, c) => Array<number>(m).fill(c));
  const f = rng.fillNormal(new Float32Array(labels.length * d)).map((v) => v * scale);
  const text = rng.fillNormal(new Float32Array(C * d));
  return { labels, f, text };
}

function closedForm(p: ReturnType<typeof problem>, d: number, tau = 0.1): number {
  return tf.tidy(() =>
    prototypeContrastiveLoss(tf.tensor2d(p.f, [p.labels.length, d]), Int32Array.from(p.labels), tf.tensor2d(p.text, [p.text.length / d, d]), tau).dataSync()[0],
  );
}

forEachBackend(['cpu', 'wasm'], () => {
  it('equals the masked SupCon computation (C = 4, M = 5, d = 8)', () => {
    const p = problem(4, [5, 5, 5, 5], 8, 1);
    const ref = maskedSupCon(Float64Array.from(p.f), p.labels, Float64Array.from(p.text), 8, 0.1);
    expect(Math.abs(closedForm(p, 8) - ref)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref)));
  });

  it('also holds for unequal class sizes and a different temperature', () => {
    const p = problem(3, [2, 4, 7], 5, 2);
    const ref = maskedSupCon(Float64Array.from(p.f), p.labels, Float64Array.from(p.text), 5, 0.5);
    expect(Math.abs(closedForm(p, 5, 0.5) - ref)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref)));
  });

  it('stays finite and exact for 512-d N(0,1) features, where logits reach the hundreds', () => {
    const p = problem(4, [5, 5, 5, 5], 512, 3);
    const ref = maskedSupCon(Float64Array.from(p.f), p.labels, Float64Array.from(p.text), 512, 0.1);
    const value = closedForm(p, 512);
    expect(Number.isFinite(value)).toBe(true);
    expect(Math.abs(value - ref)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref)));
  });

  it('rejects a class with a single sample (no positive for its anchor)', () => {
    const p = problem(2, [1, 3], 4, 4);
    expect(() => closedForm(p, 4)).toThrow(/class 0 has a single sample/);
  });
});
