import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { OptionError, ShapeError } from '../errors';
import { SeededRandom } from '../random';
import { forEachBackend } from '../testing';
import { fashionMnistSample } from '../testing/fashion-mnist-sample';
import { TrainingAbortedError } from '../train-head';
import { predictWithStudent } from './student-inference';
import { type StudentConfig, initStudentWeights } from './student-spec';
import { trainStudent } from './train-student';

/**
 * Narrow (4/8/16 channels, 32-d features) on 14×14 images so that a test trains in seconds on the cpu
 * backend (~0.5 s a step of 32 here); the code path is the full student's.
 */
const NARROW: StudentConfig = { inputHeight: 14, inputWidth: 14, inputChannels: 1, numClasses: 10, widths: [4, 8, 16], featureDim: 32 };
const PIXELS = 14 * 14;

/**
 * The first 64 Fashion-MNIST training images averaged down to 14×14, or synthetic class-dependent stripes
 * where the dataset is not installed.
 */
function smallSet(): { pixels: Float32Array; labels: Int32Array } {
  const real = fashionMnistSample(64);
  const labels = real ? real.labels : Int32Array.from({ length: 64 }, (_, i) => i % 10);
  const rng = new SeededRandom(0);
  const pixels = new Float32Array(64 * PIXELS);
  for (let i = 0; i < 64; i++) {
    for (let y = 0; y < 14; y++) {
      for (let x = 0; x < 14; x++) {
        let v = 0;
        if (real) for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) v += real.pixels[i * 784 + (2 * y + dy) * 28 + 2 * x + dx] / 4;
        else v = (y % 10 === labels[i] ? 1 : 0) + 0.1 * rng.normal();
        pixels[i * PIXELS + y * 14 + x] = v;
      }
    }
  }
  return { pixels, labels };
}

forEachBackend(['cpu', 'wasm'], () => {
  it('lowers the loss on a small Fashion-MNIST subset and updates the BN running statistics', async () => {
    const { pixels, labels } = smallSet();
    const weights = initStudentWeights(NARROW, 0);
    const losses: number[] = [];
    const result = await trainStudent({ weights, config: NARROW, pixels, labels, epochs: 12, batchSize: 32, seed: 1, onStep: ({ loss }) => void losses.push(loss) });
    expect(result.steps).toBe(24);
    expect(losses).toHaveLength(24);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    // The first steps sit near chance (ln 10 = 2.30).
    expect(mean(losses.slice(-4))).toBeLessThan(0.85 * mean(losses.slice(0, 4)));
    expect(result.trainAccuracy).toBeGreaterThan(0.3);
    const before = new Map(weights.map((t) => [t.name, t.data]));
    for (const t of result.weights) {
      if (t.name.endsWith('running_mean')) expect(Math.max(...Array.from(t.data, Math.abs)), t.name).toBeGreaterThan(1e-3);
      if (t.name.endsWith('running_var')) expect(t.data, t.name).not.toEqual(before.get(t.name));
    }
    expect(result.weights.map((t) => t.name)).toEqual(weights.map((t) => t.name));
  });

  it('adds KD from teacher logits (alpha 0 changes nothing), is deterministic for a seed and leaks no tensors', async () => {
    const { pixels, labels } = smallSet();
    const n = 24;
    const opts = { weights: initStudentWeights(NARROW, 2), config: NARROW, pixels: pixels.subarray(0, n * PIXELS), labels: labels.subarray(0, n), epochs: 1, batchSize: 8, seed: 3 };
    const teacherLogits = new SeededRandom(4).fillNormal(new Float32Array(n * 10)).map((v) => 5 * v);
    const tensorsBefore = tf.memory().numTensors;
    const plain = await trainStudent(opts);
    const again = await trainStudent(opts);
    const alpha0 = await trainStudent({ ...opts, kd: { teacherLogits, temperature: 3, alpha: 0 } });
    const withKd = await trainStudent({ ...opts, kd: { teacherLogits, temperature: 3, alpha: 1 } });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(again.weights[0].data).toEqual(plain.weights[0].data);
    expect(alpha0.weights[0].data).toEqual(plain.weights[0].data);
    expect(withKd.weights[0].data).not.toEqual(plain.weights[0].data);
    expect(withKd.meanLoss).toBeGreaterThan(plain.meanLoss);
    expect(await predictWithStudent(plain.weights, NARROW, opts.pixels)).toHaveLength(n);
    await expect(trainStudent({ ...opts, kd: { teacherLogits: teacherLogits.subarray(10), temperature: 3, alpha: 1 } })).rejects.toThrow(ShapeError);
  });

  it('stops on an aborted signal without leaking, and rejects bad options', async () => {
    const { pixels, labels } = smallSet();
    const controller = new AbortController();
    const tensorsBefore = tf.memory().numTensors;
    const run = trainStudent({
      weights: initStudentWeights(NARROW, 0),
      config: NARROW,
      pixels: pixels.subarray(0, 16 * PIXELS),
      labels: labels.subarray(0, 16),
      epochs: 3,
      batchSize: 4,
      seed: 0,
      signal: controller.signal,
      onStep: ({ step }) => {
        if (step === 2) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(TrainingAbortedError);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const base = { weights: initStudentWeights(NARROW, 0), config: NARROW, pixels: pixels.subarray(0, 4 * PIXELS), epochs: 1, seed: 0 };
    await expect(trainStudent({ ...base, labels: Int32Array.of(0, 1, 12, 2) })).rejects.toThrow(/label 12 at index 2/);
    await expect(trainStudent({ ...base, labels: Int32Array.of(0, 1, 2) })).rejects.toThrow(ShapeError);
    await expect(trainStudent({ ...base, labels: Int32Array.of(0, 1, 2, 3), lr: 0 })).rejects.toThrow(OptionError);
  });
});
