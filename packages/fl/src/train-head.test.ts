import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ShapeError } from './errors';
import type { FeatureHead } from './feature-head';
import { CLIP_ADAPTER_HEAD, FEDCLIP_ATTENTION_HEAD } from './feature-heads';
import { predictWithHead } from './head-inference';
import { zeroShotLogits } from './kd';
import { symmetricClipLoss } from './loss';
import { accuracy } from './accuracy';
import { forEachBackend, shiftedDomainTask } from './testing';
import { TrainingAbortedError, batchSizesPerEpoch, trainAdapter, trainClipAdapter } from './train-adapter';
import { trainHead } from './train-head';
import type { WeightSet } from './types';

/** 32, not smaller: CLIP-Adapter's bottleneck is d/4 and needs a few hidden units to learn the task. */
const D = 32;
const K = 3;
const toyTask = (n: number, seed: number) => shiftedDomainTask(n, D, K, seed);

function evalLoss(head: FeatureHead, weights: WeightSet, features: Float32Array, text: Float32Array): number {
  // One sample per class: the symmetric loss has no same-class floor and can approach 0.
  return tf.tidy(() => {
    const params = head.upload(weights, D);
    const x = tf.tensor2d(features.subarray(0, K * D), [K, D]);
    return symmetricClipLoss(head.apply(params, x), tf.tensor2d(text, [K, D])).dataSync()[0];
  });
}

const fast = { lr: 1e-2, weightDecay: 0 };

forEachBackend(['cpu', 'wasm'], () => {
  for (const head of [FEDCLIP_ATTENTION_HEAD, CLIP_ADAPTER_HEAD]) {
    for (const objective of ['clip', 'class-ce'] as const) {
      it(`${head.id}: ${objective} training reduces the loss and learns a task zero-shot CLIP fails`, async () => {
        const { features, labels, text } = toyTask(60, 1);
        const weights = head.init(D, 0);
        const zeroShot = accuracy(await predictWithHead(head, null, features, text, D), labels);
        const before = evalLoss(head, weights, features, text);
        const initial = accuracy(await predictWithHead(head, weights, features, text, D), labels);
        const result = await trainHead(head, { weights, features, labels, textEmbeddings: text, dim: D, epochs: 40, seed: 2, objective, ...fast });
        const after = evalLoss(head, result.weights, features, text);
        expect(zeroShot).toBeLessThan(0.1);
        expect(initial).toBeLessThan(0.4);
        expect(after).toBeLessThan(0.5 * before);
        expect(result.trainAccuracy).toBeGreaterThan(0.9);
        expect(result.trainAccuracy).toBeCloseTo(accuracy(await predictWithHead(head, result.weights, features, text, D), labels), 10);
        expect(result.steps).toBe(40 * 2);
        expect(Number.isFinite(result.meanLoss)).toBe(true);
      });
    }

    it(`${head.id}: is deterministic for a seed, leaves the input weights untouched, and leaks no tensors`, async () => {
      const { features, labels, text } = toyTask(40, 4);
      const weights = head.init(D, 5);
      const copy = weights.map((t) => t.data.slice());
      const before = tf.memory().numTensors;
      const opts = { weights, features, labels, textEmbeddings: text, dim: D, epochs: 2, batchSize: 8, ...fast };
      const a = await trainHead(head, { ...opts, seed: 9 });
      const b = await trainHead(head, { ...opts, seed: 9 });
      const c = await trainHead(head, { ...opts, seed: 10 });
      expect(tf.memory().numTensors).toBe(before);
      expect(a.weights.map((t) => t.name)).toEqual(head.spec(D).map((s) => s.name));
      expect(a.weights[0].data).toEqual(b.weights[0].data);
      expect(a.meanLoss).toBe(b.meanLoss);
      expect(c.weights[0].data).not.toEqual(a.weights[0].data);
      weights.forEach((t, i) => expect(t.data).toEqual(copy[i]));
    });

    it(`${head.id}: adds CLIP zero-shot distillation as an option (alpha 0 changes nothing)`, async () => {
      const { features, labels, text } = toyTask(30, 6);
      const teacherLogits = await zeroShotLogits(features, text, D);
      const opts = { weights: head.init(D, 1), features, labels, textEmbeddings: text, dim: D, epochs: 2, seed: 3, batchSize: 10, ...fast };
      const plain = await trainHead(head, opts);
      const alpha0 = await trainHead(head, { ...opts, kd: { teacherLogits, temperature: 3, alpha: 0 } });
      const withKd = await trainHead(head, { ...opts, kd: { teacherLogits, temperature: 3, alpha: 1 } });
      expect(alpha0.weights[0].data).toEqual(plain.weights[0].data);
      expect(withKd.meanLoss).toBeGreaterThan(plain.meanLoss);
      await expect(trainHead(head, { ...opts, kd: { teacherLogits: teacherLogits.subarray(3), temperature: 3, alpha: 1 } })).rejects.toThrow(ShapeError);
    });

    it(`${head.id}: stops on an aborted signal without leaking, and does nothing for a single sample`, async () => {
      const { features, labels, text } = toyTask(40, 7);
      const before = tf.memory().numTensors;
      const controller = new AbortController();
      const run = trainHead(head, {
        weights: head.init(D, 0),
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

      const w = head.init(D, 0);
      const one = await trainHead(head, { weights: w, features: features.subarray(0, D), labels: labels.subarray(0, 1), textEmbeddings: text, dim: D, epochs: 3, seed: 0 });
      expect(one.steps).toBe(0);
      expect(one.meanLoss).toBe(0);
      expect(one.weights[0].data).toEqual(w[0].data);
    });
  }

  it('trainAdapter and trainClipAdapter are trainHead with their heads', async () => {
    const { features, labels, text } = toyTask(20, 9);
    for (const [head, train] of [
      [FEDCLIP_ATTENTION_HEAD, trainAdapter],
      [CLIP_ADAPTER_HEAD, trainClipAdapter],
    ] as const) {
      const opts = { weights: head.init(D, 2), features, labels, textEmbeddings: text, dim: D, epochs: 1, seed: 4, batchSize: 8, ...fast };
      const viaHead = await trainHead(head, opts);
      const direct = await train(opts);
      direct.weights.forEach((t, i) => expect(t.data).toEqual(viaHead.weights[i].data));
    }
  });

  it('keeps the last partial batch, skips batches of one, and awaits an async onStep', async () => {
    expect(batchSizesPerEpoch(65, 32)).toEqual([32, 32, 1]);
    const { features, labels, text } = toyTask(65, 3);
    const seen: number[] = [];
    let pending = false;
    const result = await trainAdapter({
      weights: FEDCLIP_ATTENTION_HEAD.init(D, 0),
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

  it('rejects labels outside the class range with a clear message', async () => {
    const { features, text } = toyTask(4, 8);
    await expect(
      trainClipAdapter({ weights: CLIP_ADAPTER_HEAD.init(D, 0), features, labels: new Int32Array([0, 1, 5, 2]), textEmbeddings: text, dim: D, epochs: 1, seed: 0 }),
    ).rejects.toThrow(/label 5 at index 2 is outside 0..2/);
  });
});
