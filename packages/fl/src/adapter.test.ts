import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { adaptFeatures, adapterAttention, adapterParameterCount, adapterTensorsFromWeights, disposeAdapterTensors, initAdapterWeights } from './adapter';
import { ShapeError } from './errors';
import { SeededRandom } from './random';
import { expectClose, forEachBackend } from './testing';
import { refAdapt } from './testing/reference';
import { parameterCount } from './weights';

/** CLIP-scale image features: 512-d, components with std ~0.45 (norm ~10), as algorithms.md §1.3. */
function clipScaleFeatures(n: number, dim: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return rng.fillNormal(new Float32Array(n * dim)).map((v) => v * 0.45);
}

describe('adapter weights', () => {
  it('has 2·(d² + d) = 525,312 parameters for d = 512', () => {
    expect(adapterParameterCount(512)).toBe(525_312);
    expect(parameterCount(initAdapterWeights(512, 0))).toBe(525_312);
  });

  it('initialises weights and biases like PyTorch nn.Linear: U(−1/√d, 1/√d), deterministic per seed', () => {
    const w = initAdapterWeights(64, 7);
    expect(w.map((t) => [t.name, t.shape])).toEqual([
      ['w1', [64, 64]],
      ['b1', [64]],
      ['w2', [64, 64]],
      ['b2', [64]],
    ]);
    const bound = 1 / 8;
    for (const t of w) {
      const values = Array.from(t.data);
      expect(Math.max(...values)).toBeLessThanOrEqual(bound);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(-bound);
    }
    // A uniform on ±bound has std bound/√3; the biases (64 values) are too few to check tightly.
    const w1 = Array.from(w[0].data);
    const mean = w1.reduce((a, b) => a + b, 0) / w1.length;
    const std = Math.sqrt(w1.reduce((a, b) => a + (b - mean) ** 2, 0) / w1.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeCloseTo(bound / Math.sqrt(3), 2);
    expect(initAdapterWeights(64, 7)[2].data).toEqual(w[2].data);
    expect(initAdapterWeights(64, 8)[2].data).not.toEqual(w[2].data);
  });
});

forEachBackend(['cpu', 'wasm'], () => {
  it('rejects weights of the wrong shape with a message naming the tensor', () => {
    const w = initAdapterWeights(8, 0);
    const x = tf.zeros([2, 16]) as tf.Tensor2D;
    expect(() => adaptFeatures(w, x)).toThrow(ShapeError);
    expect(() => adaptFeatures(w, x)).toThrow(/"w1" has shape \[8,8\], expected \[16,16\]/);
    x.dispose();
  });

  it('computes normalise(softmax(tanh(I·W1+b1)·W2+b2) ⊙ I) on the raw features', () => {
    const d = 8;
    const w = initAdapterWeights(d, 3);
    const x = clipScaleFeatures(5, d, 4);
    const out = tf.tidy(() => adaptFeatures(w, tf.tensor2d(x, [5, d])).dataSync());
    const ref = refAdapt(
      { w1: Float64Array.from(w[0].data), b1: Float64Array.from(w[1].data), w2: Float64Array.from(w[2].data), b2: Float64Array.from(w[3].data) },
      Float64Array.from(x),
      d,
    );
    expectClose(out, ref, 1e-6);
  });

  it('starts close to zero-shot CLIP: cos(I*, I) ≈ 0.99 on CLIP-scale inputs (§1.3)', () => {
    const d = 512;
    const n = 64;
    const w = initAdapterWeights(d, 0);
    const x = clipScaleFeatures(n, d, 1);
    const { cos, norms, rowSums } = tf.tidy(() => {
      const xt = tf.tensor2d(x, [n, d]);
      const adapted = adaptFeatures(w, xt);
      const zeroShot = adaptFeatures(null, xt);
      const t = adapterTensorsFromWeights(w, d);
      const a = adapterAttention(t, xt);
      const result = {
        cos: tf.sum(tf.mul(adapted, zeroShot), 1).dataSync(),
        norms: tf.norm(adapted, 'euclidean', 1).dataSync(),
        rowSums: tf.sum(a, 1).dataSync(),
      };
      disposeAdapterTensors(t);
      return result;
    });
    const values = Array.from(cos);
    const mean = values.reduce((a, b) => a + b, 0) / n;
    expect(mean).toBeGreaterThan(0.985);
    expect(mean).toBeLessThan(0.995);
    expect(Math.min(...values)).toBeGreaterThan(0.98);
    expectClose(norms, new Float32Array(n).fill(1), 1e-5);
    expectClose(rowSums, new Float32Array(n).fill(1), 1e-5);
  });

  it('treats null weights as zero-shot CLIP (a ≡ 1): plain L2 normalisation', () => {
    const out = tf.tidy(() => adaptFeatures(null, tf.tensor2d([3, 4, 0, 0, 0, 2], [2, 3])).dataSync());
    expectClose(out, [0.6, 0.8, 0, 0, 0, 1], 1e-6);
  });
});
