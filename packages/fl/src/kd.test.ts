import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { distillationGradient, distillationLoss, zeroShotLogits } from './kd';
import { SeededRandom } from './random';
import { expectClose, forEachBackend } from './testing';
import { refKdLoss, refLogits, refNormalizeRows } from './testing/reference';

const rows = (a: Float32Array, k: number) => Array.from({ length: a.length / k }, (_, i) => Array.from(a.subarray(i * k, (i + 1) * k)));

forEachBackend(['cpu', 'wasm'], () => {
  it('is α·T²·KL(teacher ‖ student) with batch-mean reduction, and its closed-form gradient is exact', () => {
    const rng = new SeededRandom(1);
    const student = rng.fillNormal(new Float32Array(6 * 4)).map((v) => v * 4);
    const teacher = rng.fillNormal(new Float32Array(6 * 4)).map((v) => v * 4);
    const { loss, auto, closed } = tf.tidy(() => {
      const s = tf.tensor2d(student, [6, 4]);
      const t = tf.tensor2d(teacher, [6, 4]);
      return {
        loss: distillationLoss(s, t, 3, 2).dataSync()[0],
        auto: tf.grad((x: tf.Tensor) => distillationLoss(x as tf.Tensor2D, t, 3, 2))(s).dataSync(),
        closed: distillationGradient(s, t, 3, 2).dataSync(),
      };
    });
    expect(loss).toBeCloseTo(refKdLoss(rows(student, 4), rows(teacher, 4), 3, 2), 4);
    expectClose(closed, auto, 1e-6);
    const same = tf.tidy(() => distillationLoss(tf.tensor2d(student, [6, 4]), tf.tensor2d(student, [6, 4]), 3, 1).dataSync()[0]);
    expect(Math.abs(same)).toBeLessThan(1e-5);
  });

  it('gives CLIP zero-shot teacher logits 100·norm(I)·norm(T)ᵀ', async () => {
    const rng = new SeededRandom(2);
    const d = 5;
    const features = rng.fillNormal(new Float32Array(7 * d));
    const text = rng.fillNormal(new Float32Array(3 * d));
    const ref = refLogits(refNormalizeRows(Float64Array.from(features), d), refNormalizeRows(Float64Array.from(text), d), d, 100).flat();
    expectClose(await zeroShotLogits(features, text, d), ref, 1e-4);
  });
});
