import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { type AdapterTensors, adapterTensorsFromWeights, applyAdapter, disposeAdapterTensors, initAdapterWeights, l2NormalizeRows } from './adapter';
import { type MatMulMode, adapterLossAndGradients } from './adapter-step';
import { distillationLoss } from './kd';
import { symmetricClipLoss } from './loss';
import { SeededRandom } from './random';
import { expectClose, forEachBackend } from './testing';
import { type RefAdapter, refAdapt, refClipLoss, refKdLoss, refLogits } from './testing/reference';
import type { WeightSet } from './types';

interface Problem {
  d: number;
  x: Float32Array;
  labels: number[];
  textAll: Float32Array;
  teacher: Float32Array;
  weights: WeightSet;
}

function makeProblem(d: number, labels: number[], k: number, seed: number): Problem {
  const rng = new SeededRandom(seed);
  const b = labels.length;
  // Larger-than-default weights so the attention is far from uniform and every term matters.
  const weights = initAdapterWeights(d, seed).map((t) => ({ ...t, data: t.data.map((v) => v * 4) }));
  return {
    d,
    x: rng.fillNormal(new Float32Array(b * d)),
    labels,
    textAll: rng.fillNormal(new Float32Array(k * d)),
    teacher: rng.fillNormal(new Float32Array(b * k)).map((v) => v * 5),
    weights,
  };
}

function textPerSample(p: Problem): Float32Array {
  const out = new Float32Array(p.labels.length * p.d);
  p.labels.forEach((y, i) => out.set(p.textAll.subarray(y * p.d, (y + 1) * p.d), i * p.d));
  return out;
}

function manualGradients(p: Problem, kd: boolean, mode: MatMulMode, scale = 100): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const b = p.labels.length;
    const k = p.textAll.length / p.d;
    const params = adapterTensorsFromWeights(p.weights, p.d);
    const textAll = l2NormalizeRows(tf.tensor2d(p.textAll, [k, p.d]));
    const { loss, grads } = adapterLossAndGradients(
      params,
      {
        x: tf.tensor2d(p.x, [b, p.d]),
        text: l2NormalizeRows(tf.tensor2d(textPerSample(p), [b, p.d])),
        kd: kd ? { textAll, teacherLogits: tf.tensor2d(p.teacher, [b, k]), temperature: 3, alpha: 1 } : undefined,
      },
      scale,
      mode,
    );
    return { loss: loss.dataSync()[0], grads: [grads.w1, grads.b1, grads.w2, grads.b2].map((g) => g.dataSync() as Float32Array) };
  });
}

/** The same objective in float64 plain JS. */
function refLoss(p: Problem, w: RefAdapter, kd: boolean, scale = 100): number {
  const b = p.labels.length;
  const adapted = refAdapt(w, Float64Array.from(p.x), p.d);
  let loss = refClipLoss(adapted, Float64Array.from(textPerSample(p)), p.d, scale);
  if (kd) {
    const k = p.textAll.length / p.d;
    const textAll = Float64Array.from(p.textAll);
    for (let c = 0; c < k; c++) {
      const row = textAll.subarray(c * p.d, (c + 1) * p.d);
      const n = Math.hypot(...row);
      for (let j = 0; j < p.d; j++) row[j] /= n;
    }
    const student = refLogits(adapted, textAll, p.d, scale);
    const teacher = Array.from({ length: b }, (_, i) => Array.from(p.teacher.subarray(i * k, (i + 1) * k)));
    loss += refKdLoss(student, teacher, 3, 1);
  }
  return loss;
}

forEachBackend(['cpu', 'wasm'], () => {
  for (const kd of [false, true]) {
    it(`hand-written gradients match float64 central differences${kd ? ' (with KD)' : ''}`, () => {
      // Two pairs of duplicate classes exercise the "same class counts as negative" terms.
      const p = makeProblem(6, [0, 1, 0, 2, 1], 3, kd ? 11 : 12);
      const { loss, grads } = manualGradients(p, kd, 'explicit-transpose');
      const w: RefAdapter = {
        w1: Float64Array.from(p.weights[0].data),
        b1: Float64Array.from(p.weights[1].data),
        w2: Float64Array.from(p.weights[2].data),
        b2: Float64Array.from(p.weights[3].data),
      };
      expect(Math.abs(loss - refLoss(p, w, kd))).toBeLessThan(1e-4 * Math.max(1, loss));
      // Central differences in float64 with h = 1e-6: truncation O(h²·f''') and round-off O(1e-16/h) are
      // both below 1e-8 here. The tolerance is set by the float32 tfjs side: ~1e-7 relative error per op
      // through a dozen ops, amplified by the logit scale 100 → 1e-3 of the largest gradient entry.
      const h = 1e-6;
      const names = ['w1', 'b1', 'w2', 'b2'] as const;
      names.forEach((name, t) => {
        const fd = new Float64Array(w[name].length);
        for (let i = 0; i < fd.length; i++) {
          const orig = w[name][i];
          w[name][i] = orig + h;
          const up = refLoss(p, w, kd);
          w[name][i] = orig - h;
          const down = refLoss(p, w, kd);
          w[name][i] = orig;
          fd[i] = (up - down) / (2 * h);
        }
        const scale = Math.max(...Array.from(fd, Math.abs));
        expect(scale, `${name} gradient is not trivially zero`).toBeGreaterThan(1e-3);
        expectClose(grads[t], fd, 1e-3 * scale);
      });
    });
  }

  it('hand-written gradients equal tf autodiff of applyAdapter + losses, in both matmul modes', () => {
    const p = makeProblem(16, [0, 1, 2, 3, 0, 1, 4, 4], 5, 13);
    const b = p.labels.length;
    const k = 5;
    const auto = tf.tidy(() => {
      const t = adapterTensorsFromWeights(p.weights, p.d);
      const x = tf.tensor2d(p.x, [b, p.d]);
      const text = tf.tensor2d(textPerSample(p), [b, p.d]);
      const textAll = l2NormalizeRows(tf.tensor2d(p.textAll, [k, p.d]));
      const teacher = tf.tensor2d(p.teacher, [b, k]);
      const f = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor): tf.Scalar => {
        const adapted = applyAdapter({ w1, b1, w2, b2 } as AdapterTensors, x);
        const student = tf.mul(tf.matMul(adapted, textAll, false, true), 100) as tf.Tensor2D;
        return tf.add(symmetricClipLoss(adapted, text), distillationLoss(student, teacher, 3, 1)) as tf.Scalar;
      };
      const g = tf.grads(f)([t.w1, t.b1, t.w2, t.b2]);
      disposeAdapterTensors(t);
      return g.map((x) => x.dataSync());
    });
    for (const mode of ['explicit-transpose', 'transpose-flags'] as const) {
      const { grads } = manualGradients(p, true, mode);
      grads.forEach((g, i) => {
        const scale = Math.max(...Array.from(auto[i], Math.abs));
        expectClose(g, auto[i], 1e-4 * scale);
      });
    }
  });

  it('leaves no tensors behind', () => {
    const p = makeProblem(8, [0, 1, 2, 1], 3, 14);
    const before = tf.memory().numTensors;
    manualGradients(p, true, 'explicit-transpose');
    expect(tf.memory().numTensors).toBe(before);
  });
});
