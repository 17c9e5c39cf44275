import { expect, it } from 'vitest';
import { adaptFeatureArray, initAdapterWeights } from './adapter';
import { initLinearClassifier, predictWithClassifier } from './clip2fl/linear-classifier';
import { predictWithBalancedHead, predictWithTextPrototypes } from './predict';
import { SeededRandom } from './random';
import { forEachBackend } from './testing';

forEachBackend(['cpu', 'wasm'], () => {
  it('zero-shot picks the text prototype with the highest cosine, whatever the feature norm', async () => {
    const d = 3;
    const text = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const features = new Float32Array([10, 1, 0, 0.1, 0.2, 0.1, -5, -5, 1, 0, 0, 3]);
    expect(Array.from(await predictWithTextPrototypes(null, features, text, d))).toEqual([0, 1, 2, 2]);
  });

  it('predicts in chunks that agree with one pass, with or without an adapter', async () => {
    const d = 8;
    const n = 2500; // more than one 1024-row chunk
    const features = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 12.9898) * 3);
    const text = Float32Array.from({ length: 4 * d }, (_, i) => Math.cos(i * 78.233));
    const w = initAdapterWeights(d, 1);
    const all = await predictWithTextPrototypes(w, features, text, d);
    const tail = await predictWithTextPrototypes(w, features.subarray(2000 * d), text, d);
    expect(Array.from(all.subarray(2000))).toEqual(Array.from(tail));
    expect(new Set(all).size).toBeGreaterThan(1);
  });

  it('the balanced head is features → adapter → normalise → R', async () => {
    const d = 8;
    const features = new SeededRandom(1).fillNormal(new Float32Array(40 * d));
    const adapter = initAdapterWeights(d, 2);
    const R = initLinearClassifier(5, d, 3);
    expect(await predictWithBalancedHead(adapter, R, features)).toEqual(await predictWithClassifier(R, await adaptFeatureArray(adapter, features, d)));
    expect(await predictWithBalancedHead(null, R, features)).toEqual(await predictWithClassifier(R, await adaptFeatureArray(null, features, d)));
  });
});
