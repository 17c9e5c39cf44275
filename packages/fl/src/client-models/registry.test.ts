import { describe, expect, it } from 'vitest';
import { adapterParameterCount } from '../adapter';
import { forEachBackend, TEST_BACKENDS } from '../testing';
import { CLIENT_MODELS, largestUpdateBytes } from './registry';

forEachBackend(TEST_BACKENDS, () => {
  it.each(Object.values(CLIENT_MODELS))('$id: init matches its spec, adapt gives unit rows, training moves the weights', async (model) => {
    const d = 8;
    const weights = model.init(d, 3);
    expect(weights.map((t) => [t.name, t.shape])).toEqual(model.spec(d).map((s) => [s.name, s.shape]));
    const n = 12;
    const features = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.7) + (i % d === 0 ? 2 : 0));
    const adapted = model.adapt(weights, features, d);
    for (let r = 0; r < n; r++) expect(Math.hypot(...adapted.subarray(r * d, (r + 1) * d))).toBeCloseTo(1, 4);
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    const text = Float32Array.from({ length: 3 * d }, (_, i) => Math.cos(i * 0.9));
    const trained = await model.train({ weights, features, labels, textEmbeddings: text, dim: d, epochs: 2, batchSize: 4, lr: 1e-2, seed: 1 });
    expect(trained.steps).toBe(6);
    expect(trained.weights.some((t, k) => t.data.some((v, i) => v !== weights[k].data[i]))).toBe(true);
  });
});

describe('the update size bound', () => {
  it('is the largest registered model in float32', () => {
    expect(largestUpdateBytes(512)).toBeGreaterThanOrEqual(adapterParameterCount(512) * 4);
  });
});
