import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { SeededRandom } from '../random';
import { forEachBackend } from '../testing';
import { classGradientTensors } from './class-gradients';
import { gradientMatchDistance } from './gradient-matching';
import { initLinearClassifier } from './linear-classifier';

const C = 5;
const D = 8;

forEachBackend(['cpu', 'wasm'], () => {
  it('is 0 when the synthetic features are copies of the real ones, and at most 2·(C + 1)', () => {
    const R = initLinearClassifier(C, D, 1);
    const f = new SeededRandom(2).fillNormal(new Float32Array(12 * D));
    const { same, flipped, residual } = tf.tidy(() => {
      const w = tf.tensor2d(R.weight, [C, D]);
      const b = tf.tensor1d(R.bias);
      const real = classGradientTensors(w, b, tf.tensor2d(f, [12, D]), 2);
      const syn = classGradientTensors(w, b, tf.tensor2d(f.slice(), [12, D]), 2);
      return {
        same: gradientMatchDistance(real.gW, real.gb, syn.gW, syn.gb).dataSync()[0],
        flipped: gradientMatchDistance(real.gW, real.gb, tf.neg(syn.gW), tf.neg(syn.gb)).dataSync()[0],
        // What the 1e-6 in each denominator leaves: Σ 1 − ‖g‖²/(‖g‖² + 1e-6) over the C rows and the bias.
        residual: [...tf.sum(tf.square(real.gW), 1).dataSync(), tf.sum(tf.square(real.gb)).dataSync()[0]].reduce(
          (acc, sq) => acc + 1e-6 / (sq + 1e-6),
          0,
        ),
      };
    });
    expect(residual).toBeLessThan(1e-3);
    expect(Math.abs(same - residual)).toBeLessThan(2e-5);
    expect(Math.abs(flipped - (2 * (C + 1) - residual))).toBeLessThan(2e-5);
    expect(flipped).toBeLessThanOrEqual(2 * (C + 1) + 1e-5);
  });

  it('sums one row-wise cosine term per class row plus one for the bias', () => {
    const value = tf.tidy(() => {
      // Rows: identical (0), orthogonal (1), opposite (2); bias orthogonal (1): D = 4.
      const real = tf.tensor2d([1, 0, 0, 1, 2, 2], [3, 2]);
      const syn = tf.tensor2d([3, 0, 1, 0, -1, -1], [3, 2]);
      return gradientMatchDistance(real, tf.tensor1d([1, 0, 0]), syn, tf.tensor1d([0, 5, 0])).dataSync()[0];
    });
    expect(value).toBeCloseTo(4, 5);
  });

  it('over a stack of classes with a mask, equals the sum over the unmasked classes', () => {
    const rng = new SeededRandom(3);
    const r = (n: number) => rng.fillNormal(new Float32Array(n));
    const [rw, rb, sw, sb] = [r(3 * C * D), r(3 * C), r(3 * C * D), r(3 * C)];
    const { stacked, singles } = tf.tidy(() => {
      const stackedValue = gradientMatchDistance(
        tf.tensor3d(rw, [3, C, D]),
        tf.tensor2d(rb, [3, C]),
        tf.tensor3d(sw, [3, C, D]),
        tf.tensor2d(sb, [3, C]),
        tf.tensor1d([1, 0, 1]),
      ).dataSync()[0];
      const one = (k: number) =>
        gradientMatchDistance(
          tf.tensor2d(rw.subarray(k * C * D, (k + 1) * C * D), [C, D]),
          tf.tensor1d(rb.subarray(k * C, (k + 1) * C)),
          tf.tensor2d(sw.subarray(k * C * D, (k + 1) * C * D), [C, D]),
          tf.tensor1d(sb.subarray(k * C, (k + 1) * C)),
        ).dataSync()[0];
      return { stacked: stackedValue, singles: one(0) + one(2) };
    });
    expect(stacked).toBeCloseTo(singles, 4);
  });

  it('has a finite gradient when a synthetic gradient row is exactly zero (saturated softmax)', () => {
    const g = tf.tidy(() =>
      tf.grad((s: tf.Tensor) => gradientMatchDistance(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([1, 1]), s, tf.tensor1d([1, 0])))(
        tf.tensor2d([0, 0, 1, 1], [2, 2]),
      ).dataSync(),
    );
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
});
