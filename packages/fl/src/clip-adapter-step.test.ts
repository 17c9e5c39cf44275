import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { l2NormalizeRows } from './adapter';
import { applyClipAdapter, clipAdapterTensorsFromWeights, initClipAdapterWeights } from './clip-adapter';
import { clipAdapterLossAndGradients } from './clip-adapter-step';
import { type AdapterObjective, type MatMulMode } from './head-objective';
import { distillationLoss } from './kd';
import { symmetricClipLoss } from './loss';
import { SeededRandom } from './random';
import { expectClose, forEachBackend } from './testing';
import { refClipAdapt, refClipLoss, refCrossEntropy, refKdLoss, refLogits, refNormalizeRows } from './testing/reference';
import type { WeightSet } from './types';

/** A logit scale below CLIP's 100 keeps these random problems' softmaxes away from saturation (zero gradients). */
const SCALE = 10;

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
  // Larger-than-default weights so the MLP branch is large against the residual and every term matters.
  const weights = initClipAdapterWeights(d, seed).map((t) => ({ ...t, data: t.data.map((v) => v * 3) }));
  return {
    d,
    x: rng.fillNormal(new Float32Array(labels.length * d)),
    labels,
    textAll: rng.fillNormal(new Float32Array(k * d)),
    teacher: rng.fillNormal(new Float32Array(labels.length * k)).map((v) => v * 5),
    weights,
  };
}

function textPerSample(p: Problem): Float32Array {
  const out = new Float32Array(p.labels.length * p.d);
  p.labels.forEach((y, i) => out.set(p.textAll.subarray(y * p.d, (y + 1) * p.d), i * p.d));
  return out;
}

function manualGradients(p: Problem, objective: AdapterObjective, kd: boolean, mode: MatMulMode): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const b = p.labels.length;
    const k = p.textAll.length / p.d;
    const textAll = l2NormalizeRows(tf.tensor2d(p.textAll, [k, p.d]));
    const { loss, grads } = clipAdapterLossAndGradients(
      clipAdapterTensorsFromWeights(p.weights, p.d),
      {
        x: tf.tensor2d(p.x, [b, p.d]),
        text: l2NormalizeRows(tf.tensor2d(textPerSample(p), [b, p.d])),
        classes: objective === 'class-ce' ? { textAll, labels: tf.tensor1d(p.labels, 'int32') } : undefined,
        kd: kd ? { textAll, teacherLogits: tf.tensor2d(p.teacher, [b, k]), temperature: 3, alpha: 1 } : undefined,
      },
      SCALE,
      mode,
    );
    return { loss: loss.dataSync()[0], grads: [grads.down, grads.up].map((g) => g.dataSync() as Float32Array) };
  });
}

/** The same objective in float64 plain JS. */
function refLoss(p: Problem, down: Float64Array, up: Float64Array, objective: AdapterObjective, kd: boolean): number {
  const b = p.labels.length;
  const k = p.textAll.length / p.d;
  const adapted = refClipAdapt(down, up, Float64Array.from(p.x), p.d);
  const textAll = refNormalizeRows(Float64Array.from(p.textAll), p.d);
  const student = refLogits(adapted, textAll, p.d, SCALE);
  let loss = objective === 'clip' ? refClipLoss(adapted, Float64Array.from(textPerSample(p)), p.d, SCALE) : refCrossEntropy(student, p.labels);
  if (kd) {
    const teacher = Array.from({ length: b }, (_, i) => Array.from(p.teacher.subarray(i * k, (i + 1) * k)));
    loss += refKdLoss(student, teacher, 3, 1);
  }
  return loss;
}

forEachBackend(['cpu', 'wasm'], () => {
  for (const [objective, kd] of [
    ['clip', false],
    ['clip', true],
    ['class-ce', false],
  ] as const) {
    it(`hand-written gradients match float64 central differences (${objective}${kd ? ' + KD' : ''})`, () => {
      const p = makeProblem(8, [0, 1, 0, 2, 1], 3, kd ? 21 : 22);
      const { loss, grads } = manualGradients(p, objective, kd, 'explicit-transpose');
      const w = { down: Float64Array.from(p.weights[0].data), up: Float64Array.from(p.weights[1].data) };
      expect(Math.abs(loss - refLoss(p, w.down, w.up, objective, kd))).toBeLessThan(1e-4 * Math.max(1, loss));
      // h = 1e-6 in float64 (see adapter-step.test.ts); a coordinate whose step crosses a ReLU kink would
      // show as a mismatch, and none of these random problems has a pre-activation within 1e-6 of 0.
      const h = 1e-6;
      (['down', 'up'] as const).forEach((name, t) => {
        const fd = new Float64Array(w[name].length);
        for (let i = 0; i < fd.length; i++) {
          const orig = w[name][i];
          w[name][i] = orig + h;
          const upLoss = refLoss(p, w.down, w.up, objective, kd);
          w[name][i] = orig - h;
          const downLoss = refLoss(p, w.down, w.up, objective, kd);
          w[name][i] = orig;
          fd[i] = (upLoss - downLoss) / (2 * h);
        }
        const scale = Math.max(...Array.from(fd, Math.abs));
        expect(scale, `${name} gradient is not trivially zero`).toBeGreaterThan(1e-3);
        expectClose(grads[t], fd, 1e-3 * scale);
      });
    });
  }

  it('hand-written gradients equal tf autodiff of applyClipAdapter + losses, in both matmul modes', () => {
    const p = makeProblem(16, [0, 1, 2, 3, 0, 1, 4, 4], 5, 23);
    const b = p.labels.length;
    const k = 5;
    const auto = tf.tidy(() => {
      const t = clipAdapterTensorsFromWeights(p.weights, p.d);
      const x = tf.tensor2d(p.x, [b, p.d]);
      const text = tf.tensor2d(textPerSample(p), [b, p.d]);
      const textAll = l2NormalizeRows(tf.tensor2d(p.textAll, [k, p.d]));
      const teacher = tf.tensor2d(p.teacher, [b, k]);
      const f = (down: tf.Tensor, up: tf.Tensor): tf.Scalar => {
        const adapted = applyClipAdapter({ down: down as tf.Tensor2D, up: up as tf.Tensor2D }, x);
        const student = tf.mul(tf.matMul(adapted, textAll, false, true), SCALE) as tf.Tensor2D;
        return tf.add(symmetricClipLoss(adapted, text, SCALE), distillationLoss(student, teacher, 3, 1)) as tf.Scalar;
      };
      return tf.grads(f)([t.down, t.up]).map((g) => g.dataSync());
    });
    for (const mode of ['explicit-transpose', 'transpose-flags'] as const) {
      const { grads } = manualGradients(p, 'clip', true, mode);
      grads.forEach((g, i) => {
        const scale = Math.max(...Array.from(auto[i], Math.abs));
        expect(scale).toBeGreaterThan(1e-3);
        expectClose(g, auto[i], 1e-4 * scale);
      });
    }
  });

  it('leaves no tensors behind', () => {
    const p = makeProblem(8, [0, 1, 2, 1], 3, 24);
    const before = tf.memory().numTensors;
    manualGradients(p, 'class-ce', true, 'explicit-transpose');
    expect(tf.memory().numTensors).toBe(before);
  });
});
