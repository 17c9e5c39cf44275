import { describe, expect, it } from 'vitest';
import { accuracy } from '../accuracy';
import { SeededRandom } from '../random';
import { expectClose } from '../testing/numeric';
import { initLinearClassifier, predictWithClassifier } from './linear-classifier';
import { retrainClassifier } from './retrain-classifier';
import { clusteredFeatures } from './clustered-features.fixture';

const C = 4;
const D = 16;

// Plain JavaScript (no tfjs kernels), so one run covers every backend.
describe('retrainClassifier', () => {
  it('trains a fresh linear classifier with SGD that separates the classes', async () => {
    const train = clusteredFeatures([25, 25, 25, 25], D, 1, 0.6);
    const test = clusteredFeatures([50, 50, 50, 50], D, 1, 0.6);
    const epochs: number[] = [];
    const R = await retrainClassifier({
      features: train.features,
      labels: train.labels,
      numClasses: C,
      dim: D,
      epochs: 60,
      lr: 0.5,
      seed: 2,
      onEpoch: ({ loss }) => {
        epochs.push(loss);
      },
    });
    expect(epochs).toHaveLength(60);
    expect(epochs[59]).toBeLessThan(0.5 * epochs[0]);
    expect(accuracy(await predictWithClassifier(R, test.features), test.labels)).toBeGreaterThan(0.95);
  });

  it('starts from a seeded PyTorch-style init, and is deterministic', async () => {
    const { features, labels } = clusteredFeatures([5, 5, 5, 5], D, 3);
    const opts = { features, labels, numClasses: C, dim: D, seed: 7 };
    const untrained = await retrainClassifier({ ...opts, epochs: 0 });
    const bound = 1 / Math.sqrt(D);
    for (const v of [...untrained.weight, ...untrained.bias]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(untrained.weight, Math.abs))).toBeGreaterThan(0.8 * bound);
    const a = await retrainClassifier({ ...opts, epochs: 3 });
    const b = await retrainClassifier({ ...opts, epochs: 3 });
    expect(a.weight).toEqual(b.weight);
    expect(a.weight).not.toEqual(untrained.weight);
    await expect(retrainClassifier({ ...opts, labels: labels.map(() => 9) })).rejects.toThrow(/label 9/);
  });

  it('gives the same classifier with the SIMD kernel as with the plain JavaScript loops, to float rounding', async () => {
    // 300 epochs as in the reference; d = 60 is not a multiple of the kernel's 8 lanes (zero-padded rows).
    const d = 60;
    const { features, labels } = clusteredFeatures([30, 20, 10, 5], d, 4, 0.8);
    const opts = { features, labels, numClasses: C, dim: d, epochs: 300, batchSize: 8, lr: 0.05, seed: 5 };
    const losses: Record<string, number[]> = { 'wasm-simd': [], javascript: [] };
    const [simd, js] = await Promise.all(
      (['wasm-simd', 'javascript'] as const).map((implementation) =>
        retrainClassifier({ ...opts, implementation, onEpoch: ({ loss }) => void losses[implementation].push(loss) }),
      ),
    );
    const scale = Math.max(...Array.from(js.weight, Math.abs));
    expect(scale).toBeGreaterThan(0.5); // trained well away from the ±0.13 init
    expectClose(simd.weight, js.weight, 1e-4 * scale);
    expectClose(simd.bias, js.bias, 1e-4 * scale);
    expectClose(losses['wasm-simd'], losses.javascript, 1e-5, 1e-4);
    expect(simd.weight).not.toEqual(js.weight); // two implementations really ran
  });

  it('takes exact SGD steps on mean cross-entropy (odd dimension, full batch)', async () => {
    const [c3, d, n, lr, seed] = [3, 5, 4, 0.3, 11];
    const rng = new SeededRandom(1);
    const X = rng.fillNormal(new Float32Array(n * d));
    const labels = Int32Array.of(0, 2, 1, 2);
    for (const implementation of ['wasm-simd', 'javascript'] as const) {
    const trained = await retrainClassifier({ features: X, labels, numClasses: c3, dim: d, epochs: 1, batchSize: n, lr, seed, implementation });
    // The same fresh init the function draws, then one float64 gradient step by hand.
    const init = initLinearClassifier(c3, d, new SeededRandom(seed).nextUint32());
    const W = Float64Array.from(init.weight);
    const b = Float64Array.from(init.bias);
    const gW = new Float64Array(c3 * d);
    const gb = new Float64Array(c3);
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: c3 }, (_, c) => b[c] + X.subarray(i * d, (i + 1) * d).reduce((s, x, k) => s + x * W[c * d + k], 0));
      const zs = z.map((v) => Math.exp(v - Math.max(...z)));
      const total = zs.reduce((s, v) => s + v, 0);
      for (let c = 0; c < c3; c++) {
        const g = (zs[c] / total - (labels[i] === c ? 1 : 0)) / n;
        gb[c] += g;
        for (let k = 0; k < d; k++) gW[c * d + k] += g * X[i * d + k];
      }
    }
    expectClose(trained.weight, W.map((w, i) => w - lr * gW[i]), 1e-6);
    expectClose(trained.bias, b.map((v, i) => v - lr * gb[i]), 1e-6);
    }
  });
});
