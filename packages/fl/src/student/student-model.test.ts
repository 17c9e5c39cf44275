import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { computeClientClassGradients } from '../clip2fl/class-gradients';
import { classifierFromWeightSet, initLinearClassifier } from '../clip2fl/linear-classifier';
import { SeededRandom } from '../random';
import { expectClose, forEachBackend } from '../testing';
import type { WeightSet } from '../types';
import { type Convolution, pixelsTensor, studentForward, uploadStudent } from './student-forward';
import { predictWithStudent, studentClassGradients, studentFeatures, studentOutputs, tfConvolution } from './student-inference';
import { type StudentConfig, initStudentWeights, isRunningStatistic, studentLayout, studentParameterCount, studentSpec } from './student-spec';
import { studentLossAndGradients } from './train-student';
import { conv2dIm2col } from './im2col-conv';

const FASHION = { inputHeight: 28, inputWidth: 28, inputChannels: 1, numClasses: 10 };
/** Small enough for finite differences over every tensor. */
const TINY: StudentConfig = { inputHeight: 6, inputWidth: 5, inputChannels: 2, numClasses: 3, widths: [2, 3, 4], featureDim: 5 };

function randomImages(config: StudentConfig, n: number, seed: number): Float32Array {
  return new SeededRandom(seed).fillNormal(new Float32Array(n * config.inputHeight * config.inputWidth * config.inputChannels));
}

it('has the ResNet-8 layout of CLIP2FL at width 1: 115,514 parameters for Fashion-MNIST, BN statistics in the state', () => {
  expect(studentParameterCount(FASHION)).toBe(115_514);
  // 3-channel 32×32 (CIFAR) only changes the stem: 27·16 instead of 9·16 kernel weights.
  expect(studentParameterCount({ ...FASHION, inputHeight: 32, inputWidth: 32, inputChannels: 3 })).toBe(115_514 + 18 * 16);
  const spec = studentSpec(FASHION);
  const byName = new Map(spec.map((t) => [t.name, t.shape]));
  expect(byName.get('conv1.weight')).toEqual([9, 16]);
  expect(byName.get('layer2.0.conv1.weight')).toEqual([144, 32]);
  expect(byName.get('layer3.0.shortcut.0.weight')).toEqual([32, 64]);
  expect(byName.get('layer3.0.shortcut.1.running_var')).toEqual([64]);
  expect(byName.has('layer1.0.shortcut.0.weight')).toBe(false); // identity shortcut in stage 1
  expect(byName.get('feature.weight')).toEqual([64, 512]);
  expect(byName.get('classifier.weight')).toEqual([10, 512]);
  expect(spec.filter((t) => isRunningStatistic(t.name))).toHaveLength(2 * 9);
  // Names and layout of the classifier are R's: the student's own head reads as a LinearClassifier.
  const own = classifierFromWeightSet(initStudentWeights(FASHION, 0));
  expect([own.numClasses, own.dim]).toEqual([10, 512]);
});

it("draws the reference's init, seeded", () => {
  const w = new Map(initStudentWeights(FASHION, 1).map((t) => [t.name, t.data]));
  const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  expect(std(w.get('layer3.0.conv2.weight')!)).toBeCloseTo(Math.sqrt(2 / (9 * 64)), 2);
  expect([...w.get('layer2.0.bn1.weight')!]).toEqual(new Array(32).fill(1));
  expect([...w.get('layer2.0.shortcut.1.weight')!]).toEqual(new Array(32).fill(1));
  expect([...w.get('bn1.running_var')!]).toEqual(new Array(16).fill(1));
  expect([...w.get('bn1.running_mean')!, ...w.get('bn1.bias')!]).toEqual(new Array(32).fill(0));
  expect(Math.max(...Array.from(w.get('feature.weight')!, Math.abs))).toBeLessThanOrEqual(1 / 8);
  expect(initStudentWeights(FASHION, 1)[0].data).toEqual(w.get('conv1.weight'));
});

forEachBackend(['cpu', 'wasm'], (backend) => {
  it('maps images to 512-d features and class logits; predicts with its own head', async () => {
    const weights = initStudentWeights(FASHION, 2);
    const pixels = randomImages(FASHION, 3, 1);
    const { features, logits } = await studentOutputs(weights, FASHION, pixels);
    expect(features).toHaveLength(3 * 512);
    expect(logits).toHaveLength(3 * 10);
    expect(await studentFeatures(weights, FASHION, pixels)).toEqual(features);
    const pred = await predictWithStudent(weights, FASHION, pixels);
    pred.forEach((p, i) => expect(logits[i * 10 + p]).toBe(Math.max(...logits.subarray(i * 10, i * 10 + 10))));
    // The head is a Linear on the features: logits = features·Wᵀ + b.
    const own = classifierFromWeightSet(weights);
    const z = own.bias[4] + features.subarray(512, 1024).reduce((s, f, k) => s + f * own.weight[4 * 512 + k], 0);
    expect(logits[10 + 4]).toBeCloseTo(z, 3);
  });

  it(`evaluates with ${backend}'s forward tf.conv2d exactly as with the trainable im2col convolution`, async () => {
    for (const config of [FASHION, TINY, { ...FASHION, inputHeight: 7, inputWidth: 9, inputChannels: 3 }]) {
      // Trained-looking BN statistics, so that eval mode is not the identity.
      const weights = initStudentWeights(config, 5).map((t) => (t.name.endsWith('running_var') ? { ...t, data: t.data.map((_, i) => 0.5 + (i % 3)) } : t));
      const pixels = randomImages(config, 5, 2);
      const fast = await studentOutputs(weights, config, pixels, tfConvolution);
      const im2col = await studentOutputs(weights, config, pixels, (x, k, size, stride) => conv2dIm2col(x, k, size, stride));
      expectClose(fast.features, im2col.features, 1e-4);
      expectClose(fast.logits, im2col.logits, 1e-4);
    }
  });

  /** Loss and gradients of one tiny batch (CE + KD, train-mode BN), optionally with another convolution. */
  function tinyLossAndGradients(weights: WeightSet, convolve?: Convolution): { loss: number; grads: Float32Array[] } {
    const layout = studentLayout(TINY);
    const pixels = randomImages(TINY, 4, 4);
    const teacher = new SeededRandom(5).fillNormal(new Float32Array(4 * 3)).map((v) => 3 * v);
    return tf.tidy(() => {
      const params = uploadStudent(weights, TINY);
      const { loss, grads, stats } = studentLossAndGradients(
        params,
        layout,
        pixelsTensor(pixels, layout, 0, 4),
        tf.tensor1d([0, 2, 1, 2], 'int32'),
        { logits: tf.tensor2d(teacher, [4, 3]), temperature: 3, alpha: 1 },
        convolve,
      );
      tf.dispose(stats.flatMap((s) => [s.mean, s.variance]));
      return { loss: loss.dataSync()[0], grads: grads.map((g) => g.dataSync() as Float32Array) };
    });
  }

  // Non-default BN scales and biases so that every parameter moves the loss.
  const tinyWeights = (): WeightSet =>
    initStudentWeights(TINY, 3).map((t) =>
      isRunningStatistic(t.name) || !/bn|shortcut\.1/.test(t.name) ? t : { ...t, data: new SeededRandom(t.data.length).fillUniform(new Float32Array(t.data.length), 0.5, 1.5) },
    );

  it('training-loss gradients pass a finite-difference check, tensor by tensor', () => {
    // Per-coordinate central differences are unreliable here: ReLU kinks within a step of many points of
    // this tiny net bend single coordinates by 10-50 % (float32 rules out steps below ~1e-3). Moving one
    // whole tensor along its gradient averages over its coordinates; kinks still move that derivative by up
    // to ~20 % for the 2-channel BN tensors, hence the loose bound, which a wrong sign, a missing tensor or
    // a scale error of 1.5× or more still fails. Exact per-coordinate checks: im2col-conv.test.ts (every
    // backend) and the tf.conv2d comparison below (cpu).
    const weights = tinyWeights();
    const { grads } = tinyLossAndGradients(weights);
    const trainable = weights.filter((t) => !isRunningStatistic(t.name));
    const h = 3e-3;
    trainable.forEach((t, i) => {
      const norm = Math.hypot(...grads[i]);
      expect(norm, `${t.name} gradient is not zero`).toBeGreaterThan(1e-4);
      const moved = (step: number) => weights.map((u) => (u === t ? { ...u, data: u.data.map((v, j) => v + (step * grads[i][j]) / norm) } : u));
      const directional = (tinyLossAndGradients(moved(h)).loss - tinyLossAndGradients(moved(-h)).loss) / (2 * h);
      expect(Math.abs(directional - norm), `${t.name}: ${directional} along the gradient, ‖g‖ = ${norm}`).toBeLessThan(1e-3 + 0.25 * norm);
    });
  });

  if (backend === 'cpu') {
    it('training-loss gradients equal autodiff of the same model built on tf.conv2d (differentiable on cpu)', () => {
      const weights = tinyWeights();
      const conv2d: Convolution = (x, kernel, size, stride) =>
        tf.conv2d(x, tf.reshape(kernel, [size, size, x.shape[3], kernel.shape[1]]) as tf.Tensor4D, stride, (size - 1) / 2);
      const ours = tinyLossAndGradients(weights);
      const reference = tinyLossAndGradients(weights, conv2d);
      expect(ours.loss).toBeCloseTo(reference.loss, 5);
      ours.grads.forEach((g, i) => {
        const scale = Math.max(...Array.from(reference.grads[i], Math.abs));
        expect(scale).toBeGreaterThan(1e-4);
        expectClose(g, reference.grads[i], 1e-4 * Math.max(1, scale));
      });
    });
  }

  it('BN uses batch statistics in training mode and running statistics in eval mode', async () => {
    const layout = studentLayout(TINY);
    const weights = initStudentWeights(TINY, 6).map((t) => (t.name.endsWith('running_mean') ? { ...t, data: t.data.map(() => 0.3) } : t));
    const pixels = randomImages(TINY, 4, 7);
    const params = uploadStudent(weights, TINY);
    try {
      const first = (rows: number, mode: 'train' | 'eval') =>
        tf.tidy(() => studentForward(params, layout, pixelsTensor(pixels, layout, 0, rows), mode).features.slice([0, 0], [1, -1]).dataSync());
      // Eval: an image's features do not depend on the rest of its batch; train: they do.
      expectClose(first(1 + 3, 'eval'), first(2, 'eval'), 1e-5);
      expect(Math.max(...Array.from(first(4, 'train'), (v, i) => Math.abs(v - first(2, 'train')[i])))).toBeGreaterThan(1e-3);
    } finally {
      tf.dispose([...params.values()]);
    }
    // Inference never changes the weights it is given.
    const copy = weights.map((t) => t.data.slice());
    await studentFeatures(weights, TINY, pixels);
    weights.forEach((t, i) => expect(t.data).toEqual(copy[i]));
  });

  it('computes per-class gradients of a given classifier R on its eval-mode features', async () => {
    const weights = initStudentWeights(TINY, 8);
    const pixels = randomImages(TINY, 9, 9);
    const labels = Int32Array.of(0, 1, 2, 0, 1, 2, 0, 0, 1);
    const R = initLinearClassifier(3, 5, 10);
    const grads = await studentClassGradients(weights, TINY, pixels, labels, R, { seed: 1, batchSize: 2, repeats: 3 });
    const expected = await computeClientClassGradients(R, await studentFeatures(weights, TINY, pixels), labels, { seed: 1, batchSize: 2, repeats: 3 });
    expect([...grads.keys()]).toEqual([0, 1, 2]);
    for (const [c, g] of grads) {
      expect(g.gW).toEqual(expected.get(c)!.gW);
      expect(g.gb).toEqual(expected.get(c)!.gb);
    }
    await expect(studentClassGradients(weights, TINY, pixels, labels, initLinearClassifier(3, 6, 0), { seed: 1 })).rejects.toThrow(/3×6/);
  });
});
