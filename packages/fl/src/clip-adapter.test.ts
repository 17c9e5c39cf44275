import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import {
  adaptFeaturesWithClipAdapter,
  clipAdapterParameterCount,
  clipAdapterSpec,
  initClipAdapterWeights,
} from './clip-adapter';
import { ShapeError } from './errors';
import { CLIP_ADAPTER_HEAD, FEDCLIP_ATTENTION_HEAD, FEATURE_HEADS } from './feature-heads';
import { adaptFeatureArrayWithClipAdapter, adaptFeatureArrayWithHead, predictWithHead } from './head-inference';
import { predictWithTextPrototypes } from './predict';
import { SeededRandom } from './random';
import { expectClose, forEachBackend } from './testing';
import { refClipAdapt, refNormalizeRows } from './testing/reference';
import { parameterCount } from './weights';

it('has a d/4 bottleneck of two bias-free layers: 131,072 parameters at d = 512', () => {
  expect(clipAdapterSpec(512)).toEqual([
    { name: 'down', shape: [512, 128] },
    { name: 'up', shape: [128, 512] },
  ]);
  expect(clipAdapterParameterCount(512)).toBe(131_072);
  expect(parameterCount(initClipAdapterWeights(512, 0))).toBe(131_072);
  expect(() => clipAdapterSpec(510)).toThrow(ShapeError);
  expect(FEATURE_HEADS['clip-adapter']).toBe(CLIP_ADAPTER_HEAD);
  expect(CLIP_ADAPTER_HEAD.parameterCount(512)).toBe(131_072);
  expect(FEDCLIP_ATTENTION_HEAD.parameterCount(512)).toBe(525_312);
});

it("draws PyTorch's default Linear init per layer (±1/√fan_in), seeded", () => {
  const [down, up] = initClipAdapterWeights(64, 3);
  const maxAbs = (a: Float32Array) => Math.max(...Array.from(a, Math.abs));
  expect(maxAbs(down.data)).toBeLessThanOrEqual(1 / 8);
  expect(maxAbs(down.data)).toBeGreaterThan(0.9 / 8);
  expect(maxAbs(up.data)).toBeLessThanOrEqual(1 / 4);
  expect(maxAbs(up.data)).toBeGreaterThan(0.9 / 4);
  expect(initClipAdapterWeights(64, 3)[1].data).toEqual(up.data);
  expect(initClipAdapterWeights(64, 4)[1].data).not.toEqual(up.data);
});

forEachBackend(['cpu', 'wasm'], () => {
  it('computes normalise(0.2·ReLU(ReLU(f·Wd)·Wu) + 0.8·f) like a float64 reference, in chunks and through the head', async () => {
    const d = 16;
    const n = 1030; // over one 1024-row chunk
    const x = new SeededRandom(1).fillNormal(new Float32Array(n * d));
    const weights = initClipAdapterWeights(d, 2).map((t) => ({ ...t, data: t.data.map((v) => v * 3) }));
    const expected = refClipAdapt(Float64Array.from(weights[0].data), Float64Array.from(weights[1].data), Float64Array.from(x), d);
    const viaArray = await adaptFeatureArrayWithClipAdapter(weights, x, d);
    expectClose(viaArray, expected, 1e-5);
    expect(await adaptFeatureArrayWithHead(CLIP_ADAPTER_HEAD, weights, x, d)).toEqual(viaArray);
    const first = tf.tidy(() => adaptFeaturesWithClipAdapter(weights, tf.tensor2d(x.subarray(0, 4 * d), [4, d])).dataSync());
    expectClose(first, expected.subarray(0, 4 * d), 1e-5);
    // The MLP branch changes the features: the check above is not just the residual.
    const residualOnly = refNormalizeRows(Float64Array.from(x.subarray(0, 4 * d)), d);
    expect(Math.max(...Array.from(first, (v, i) => Math.abs(v - residualOnly[i])))).toBeGreaterThan(1e-2);
  });

  it('with no weights is zero-shot CLIP, for every head', async () => {
    const d = 8;
    const rng = new SeededRandom(5);
    const x = rng.fillNormal(new Float32Array(20 * d));
    const text = rng.fillNormal(new Float32Array(3 * d));
    const zeroShot = await predictWithTextPrototypes(null, x, text, d);
    expect(await predictWithHead(CLIP_ADAPTER_HEAD, null, x, text, d)).toEqual(zeroShot);
    expect(await predictWithHead(FEDCLIP_ATTENTION_HEAD, null, x, text, d)).toEqual(zeroShot);
    expectClose(await adaptFeatureArrayWithClipAdapter(null, x, d), refNormalizeRows(Float64Array.from(x), d), 1e-6);
    const fedclip = FEDCLIP_ATTENTION_HEAD.init(d, 1);
    expect(await predictWithHead(FEDCLIP_ATTENTION_HEAD, fedclip, x, text, d)).toEqual(await predictWithTextPrototypes(fedclip, x, text, d));
  });

  it('rejects weights of the wrong shape or head', () => {
    const x = tf.zeros([2, 8]) as tf.Tensor2D;
    expect(() => adaptFeaturesWithClipAdapter(initClipAdapterWeights(16, 0), x)).toThrow(ShapeError);
    expect(() => adaptFeaturesWithClipAdapter(FEDCLIP_ATTENTION_HEAD.init(8, 0), x)).toThrow(/no tensor "down"/);
    x.dispose();
  });
});
