import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../errors';
import { SeededRandom } from '../random';
import { expectClose, forEachBackend } from '../testing';
import {
  type ClassGradient,
  classGradientTensors,
  classGradientsFromWeightSet,
  classGradientsToWeightSet,
  computeClientClassGradients,
} from './class-gradients';
import { initLinearClassifier } from './linear-classifier';

const C = 4;
const D = 6;

function features(n: number, seed: number): Float32Array {
  return new SeededRandom(seed).fillNormal(new Float32Array(n * D));
}

/** Mean CE through tf autodiff, the reference for the closed form. */
function autodiffGradients(w: Float32Array, b: Float32Array, f: Float32Array, label: number): { gW: Float32Array; gb: Float32Array } {
  return tf.tidy(() => {
    const n = f.length / D;
    const x = tf.tensor2d(f, [n, D]);
    const onehot = tf.oneHot(tf.fill([n], label, 'int32'), C);
    const ce = (wt: tf.Tensor, bt: tf.Tensor): tf.Scalar =>
      tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(tf.add(tf.matMul(x, wt, false, true), bt)), onehot), 1))) as tf.Scalar;
    const [gW, gb] = tf.grads(ce)([tf.tensor2d(w, [C, D]), tf.tensor1d(b)]);
    return { gW: gW.dataSync() as Float32Array, gb: gb.dataSync() as Float32Array };
  });
}

forEachBackend(['cpu', 'wasm'], () => {
  it('gives the closed-form classifier gradient of mean CE that tf.grad gives', () => {
    const R = initLinearClassifier(C, D, 1);
    const f = features(7, 2);
    for (const label of [0, 3]) {
      const closed = tf.tidy(() => {
        const { gW, gb } = classGradientTensors(tf.tensor2d(R.weight, [C, D]), tf.tensor1d(R.bias), tf.tensor2d(f, [7, D]), label);
        return { gW: gW.dataSync(), gb: gb.dataSync() };
      });
      const auto = autodiffGradients(R.weight, R.bias, f, label);
      expectClose(closed.gW, auto.gW, 1e-6);
      expectClose(closed.gb, auto.gb, 1e-6);
    }
  });

  it('reports one gradient per class the client holds, averaging probes for large classes', async () => {
    const R = initLinearClassifier(C, D, 3);
    const n = 50;
    const f = features(n, 4);
    // Class 0: 40 samples (more than a probe of 32), class 2: 10 samples, classes 1 and 3: none.
    const labels = Int32Array.from({ length: n }, (_, i) => (i < 40 ? 0 : 2));
    const grads = await computeClientClassGradients(R, f, labels, { seed: 5 });
    expect([...grads.keys()].sort()).toEqual([0, 2]);
    // A small class is one probe over all its samples.
    const small = autodiffGradients(R.weight, R.bias, f.subarray(40 * D), 2);
    expectClose(grads.get(2)!.gW, small.gW, 1e-6);
    // A large class is an average of probes of 32: close to, but not exactly, the full-class gradient.
    const full = autodiffGradients(R.weight, R.bias, f.subarray(0, 40 * D), 0);
    const g0 = grads.get(0)!;
    expectClose(g0.gb, full.gb, 0.05);
    expect(Array.from(g0.gW)).not.toEqual(Array.from(full.gW));
    // Seeded: the same probes again.
    expect((await computeClientClassGradients(R, f, labels, { seed: 5 })).get(0)!.gW).toEqual(g0.gW);
    expect((await computeClientClassGradients(R, f, labels, { seed: 6 })).get(0)!.gW).not.toEqual(g0.gW);
  });
});

describe('class gradient wire format', () => {
  const g = (v: number): ClassGradient => ({ gW: new Float32Array(C * D).fill(v), gb: new Float32Array(C).fill(-v) });

  it('packs any number of classes into three tensors and back', () => {
    const map = new Map([
      [3, g(3)],
      [1, g(1)],
    ]);
    const ws = classGradientsToWeightSet(map, C, D);
    expect(ws.map((t) => [t.name, t.shape])).toEqual([
      ['class_gradients.classes', [2]],
      ['class_gradients.weight', [2, C, D]],
      ['class_gradients.bias', [2, C]],
    ]);
    const back = classGradientsFromWeightSet(ws, C, D);
    expect([...back.keys()]).toEqual([1, 3]);
    expect(back.get(3)).toEqual(g(3));
  });

  it('rejects class ids and shapes a client should not send', () => {
    const ws = classGradientsToWeightSet(new Map([[1, g(1)]]), C, D);
    const badId = ws.map((t) => (t.name === 'class_gradients.classes' ? { ...t, data: Float32Array.of(7) } : t));
    expect(() => classGradientsFromWeightSet(badId, C, D)).toThrow(/class id 7 is outside 0..3/);
    const fraction = ws.map((t) => (t.name === 'class_gradients.classes' ? { ...t, data: Float32Array.of(0.5) } : t));
    expect(() => classGradientsFromWeightSet(fraction, C, D)).toThrow(ShapeError);
    expect(() => classGradientsFromWeightSet(ws, C, D + 1)).toThrow(/expected \[1,4,7\]/);
    const nan = ws.map((t) => (t.name === 'class_gradients.bias' ? { ...t, data: Float32Array.of(0, Number.NaN, 0, 0) } : t));
    expect(() => classGradientsFromWeightSet(nan, C, D)).toThrow(/non-finite value \(NaN\) at index 1/);
  });
});
