import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { symmetricClipLoss, symmetricClipLossFromLogits, symmetricClipLossGradient } from './loss';
import { SeededRandom } from './random';
import { expectClose, forEachBackend } from './testing';
import { refClipLoss, refLogSumExp, refLogits, refNormalizeRows } from './testing/reference';

function randomRows(n: number, d: number, seed: number): Float32Array {
  return new SeededRandom(seed).fillNormal(new Float32Array(n * d));
}

forEachBackend(['cpu', 'wasm'], () => {
  it('equals the standard CLIP loss when every sample of the batch has its own class', () => {
    const b = 6;
    const d = 10;
    const img = randomRows(b, d, 1);
    const txt = randomRows(b, d, 2);
    for (const scale of [100, 10]) {
      const loss = tf.tidy(() => symmetricClipLoss(tf.tensor2d(img, [b, d]), tf.tensor2d(txt, [b, d]), scale).dataSync()[0]);
      const ref = refClipLoss(Float64Array.from(img), Float64Array.from(txt), d, scale);
      expect(Math.abs(loss - ref)).toBeLessThan(1e-4 * Math.max(1, ref));
    }
  });

  it('counts same-class pairs as negatives: each such image→text term is at least log m', () => {
    // 3 samples of class A (same text row), 1 of class B.
    const d = 8;
    const img = randomRows(4, d, 3);
    const tA = randomRows(1, d, 4);
    const tB = randomRows(1, d, 5);
    const txt = new Float32Array([...tA, ...tA, ...tA, ...tB]);
    const L = refLogits(refNormalizeRows(Float64Array.from(img), d), refNormalizeRows(Float64Array.from(txt), d), d, 100);
    for (let k = 0; k < 3; k++) expect(refLogSumExp(L[k]) - L[k][k]).toBeGreaterThanOrEqual(Math.log(3) - 1e-9);
    const loss = tf.tidy(() => symmetricClipLoss(tf.tensor2d(img, [4, d]), tf.tensor2d(txt, [4, d])).dataSync()[0]);
    expect(Math.abs(loss - refClipLoss(Float64Array.from(img), Float64Array.from(txt), d, 100))).toBeLessThan(1e-3);
    // Half of the row term's floor survives in the symmetric mean: ≥ ½·(3/4)·log 3.
    expect(loss).toBeGreaterThan(0.5 * 0.75 * Math.log(3) - 1e-4);
  });

  it('gives the closed-form logit gradient that autodiff gives', () => {
    const b = 5;
    const logits = tf.tensor2d(randomRows(b, b, 6).map((v) => v * 3), [b, b]);
    const auto = tf.tidy(() => tf.grad((l: tf.Tensor) => symmetricClipLossFromLogits(l as tf.Tensor2D))(logits).dataSync());
    const closed = tf.tidy(() => symmetricClipLossGradient(logits).dataSync());
    expectClose(closed, auto, 1e-6);
    logits.dispose();
  });
});
