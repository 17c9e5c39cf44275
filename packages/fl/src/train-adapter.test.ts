import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { adaptFeatures, initAdapterWeights } from './adapter';
import { ShapeError } from './errors';
import { zeroShotLogits } from './kd';
import { symmetricClipLoss } from './loss';
import { accuracy, predictWithTextPrototypes } from './predict';
import { SeededRandom } from './random';
import { forEachBackend } from './testing';
import { TrainingAbortedError, batchSizesPerEpoch, trainAdapter } from './train-adapter';
import type { WeightSet } from './types';

const D = 16;
const K = 3;

/**
 * A toy task zero-shot CLIP gets wrong: class c's images point mostly at the text of class c + 1,
 * so only an input-dependent re-weighting (what the attention adapter can do) separates them.
 */
function toyTask(n: number, seed: number): { features: Float32Array; labels: Int32Array; text: Float32Array } {
  const rng = new SeededRandom(seed);
  const features = new Float32Array(n * D);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % K;
    labels[i] = c;
    for (let j = 0; j < D; j++) features[i * D + j] = 0.1 * rng.normal();
    features[i * D + c] += 1;
    features[i * D + ((c + 1) % K)] += 1.3;
    features[i * D + K + c] += 1; // a class marker coordinate the adapter's MLP can read
  }
  const text = new Float32Array(K * D);
  for (let c = 0; c < K; c++) text[c * D + c] = 1;
  return { features, labels, text };
}

function evalLoss(weights: WeightSet, features: Float32Array, text: Float32Array): number {
  // One sample per class: the symmetric loss has no same-class floor and can approach 0.
  return tf.tidy(() => {
    const x = tf.tensor2d(features.subarray(0, K * D), [K, D]);
    return symmetricClipLoss(adaptFeatures(weights, x), tf.tensor2d(text, [K, D])).dataSync()[0];
  });
}

const fast = { lr: 1e-2, weightDecay: 0 };

forEachBackend(['cpu', 'wasm'], () => {
  it('reduces the loss and learns a task zero-shot CLIP fails', async () => {
    const { features, labels, text } = toyTask(60, 1);
    const weights = initAdapterWeights(D, 0);
    const zeroShot = accuracy(predictWithTextPrototypes(null, features, text, D), labels);
    const before = evalLoss(weights, features, text);
    const result = await trainAdapter({ weights, features, labels, textEmbeddings: text, dim: D, epochs: 40, seed: 2, ...fast });
    const after = evalLoss(result.weights, features, text);
    expect(zeroShot).toBeLessThan(0.1);
    expect(after).toBeLessThan(0.5 * before);
    expect(result.trainAccuracy).toBeGreaterThan(0.9);
    expect(result.trainAccuracy).toBeCloseTo(accuracy(predictWithTextPrototypes(result.weights, features, text, D), labels), 10);
    expect(result.steps).toBe(40 * 2);
    expect(Number.isFinite(result.meanLoss)).toBe(true);
  });

  it('keeps the last partial batch, skips batches of one, and awaits an async onStep', async () => {
    expect(batchSizesPerEpoch(65, 32)).toEqual([32, 32, 1]);
    const { features, labels, text } = toyTask(65, 3);
    const seen: number[] = [];
    let pending = false;
    const result = await trainAdapter({
      weights: initAdapterWeights(D, 0),
      features,
      labels,
      textEmbeddings: text,
      dim: D,
      epochs: 2,
      seed: 0,
      onStep: async ({ step, totalSteps, loss }) => {
        expect(pending).toBe(false);
        expect(totalSteps).toBe(4);
        expect(Number.isFinite(loss)).toBe(true);
        pending = true;
        await new Promise((r) => setTimeout(r, 1));
        pending = false;
        seen.push(step);
      },
    });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(result.steps).toBe(4);
  });

  it('is deterministic for a seed, leaves the input weights untouched, and leaks no tensors', async () => {
    const { features, labels, text } = toyTask(40, 4);
    const weights = initAdapterWeights(D, 5);
    const copy = weights.map((t) => t.data.slice());
    const before = tf.memory().numTensors;
    const opts = { weights, features, labels, textEmbeddings: text, dim: D, epochs: 2, batchSize: 8, ...fast };
    const a = await trainAdapter({ ...opts, seed: 9 });
    const b = await trainAdapter({ ...opts, seed: 9 });
    const c = await trainAdapter({ ...opts, seed: 10 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.weights[0].data).toEqual(b.weights[0].data);
    expect(a.meanLoss).toBe(b.meanLoss);
    expect(c.weights[0].data).not.toEqual(a.weights[0].data);
    weights.forEach((t, i) => expect(t.data).toEqual(copy[i]));
  });

  it('adds CLIP zero-shot distillation as an option (alpha 0 changes nothing)', async () => {
    const { features, labels, text } = toyTask(30, 6);
    const teacherLogits = zeroShotLogits(features, text, D);
    const opts = { weights: initAdapterWeights(D, 1), features, labels, textEmbeddings: text, dim: D, epochs: 2, seed: 3, batchSize: 10, ...fast };
    const plain = await trainAdapter(opts);
    const alpha0 = await trainAdapter({ ...opts, kd: { teacherLogits, temperature: 3, alpha: 0 } });
    const withKd = await trainAdapter({ ...opts, kd: { teacherLogits, temperature: 3, alpha: 1 } });
    expect(alpha0.weights[0].data).toEqual(plain.weights[0].data);
    expect(withKd.meanLoss).toBeGreaterThan(plain.meanLoss);
    await expect(trainAdapter({ ...opts, kd: { teacherLogits: teacherLogits.subarray(3), temperature: 3, alpha: 1 } })).rejects.toThrow(ShapeError);
  });

  it('stops on an aborted signal without leaking, and does nothing for a single sample', async () => {
    const { features, labels, text } = toyTask(40, 7);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = trainAdapter({
      weights: initAdapterWeights(D, 0),
      features,
      labels,
      textEmbeddings: text,
      dim: D,
      epochs: 5,
      batchSize: 4,
      seed: 0,
      onStep: ({ step }) => {
        if (step === 2) controller.abort();
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow(TrainingAbortedError);
    expect(tf.memory().numTensors).toBe(before);

    const w = initAdapterWeights(D, 0);
    const one = await trainAdapter({ weights: w, features: features.subarray(0, D), labels: labels.subarray(0, 1), textEmbeddings: text, dim: D, epochs: 3, seed: 0 });
    expect(one.steps).toBe(0);
    expect(one.meanLoss).toBe(0);
    expect(one.weights[2].data).toEqual(w[2].data);
  });

  it('rejects labels outside the class range with a clear message', async () => {
    const { features, text } = toyTask(4, 8);
    await expect(
      trainAdapter({ weights: initAdapterWeights(D, 0), features, labels: new Int32Array([0, 1, 5, 2]), textEmbeddings: text, dim: D, epochs: 1, seed: 0 }),
    ).rejects.toThrow(/label 5 at index 2 is outside 0..2/);
  });
});
