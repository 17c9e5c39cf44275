import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../errors';
import { forEachBackend } from '../testing';
import { type ClassGradient, classGradientTensors, computeClientClassGradients } from './class-gradients';
import { FederatedFeatureBank, updateFeatureBank } from './feature-bank';
import { createKernelBankStep } from './feature-bank-kernel-step';
import { bankLossAndGradient, createBankStepContext, disposeBankStepContext } from './feature-bank-step';
import { gradientMatchDistance } from './gradient-matching';
import { prototypeContrastiveLoss } from './pcl';
import { SeededRandom } from '../random';
import { expectClose } from '../testing';
import { initLinearClassifier } from './linear-classifier';
import { clusteredFeatures, selectRows } from './clustered-features.fixture';

const C = 4;
const D = 16;

/** Two clients: A holds classes 0-2, B holds 1-2; nobody holds class 3. */
async function clientGradients() {
  const data = clusteredFeatures([30, 30, 30, 30], D, 1);
  const R = initLinearClassifier(C, D, 2);
  const a = selectRows(data.features, data.labels, D, (y, i) => y !== 3 && i % 2 === 0);
  const b = selectRows(data.features, data.labels, D, (y, i) => (y === 1 || y === 2) && i % 2 === 1);
  const byClass = new Map<number, ClassGradient[]>();
  for (const [k, client] of [a, b].entries()) {
    for (const [c, g] of await computeClientClassGradients(R, client.features, client.labels, { seed: k })) {
      byClass.set(c, [...(byClass.get(c) ?? []), g]);
    }
  }
  return { R, byClass, data };
}

describe('FederatedFeatureBank', () => {
  it('starts from seeded N(0,1) features, class-major, and survives a checkpoint round trip', () => {
    const bank = FederatedFeatureBank.create({ numClasses: 3, perClass: 4, dim: 5, seed: 1 });
    expect(Array.from(bank.labels())).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(bank.classFeatures(1)).toEqual(bank.features.subarray(20, 40));
    expect(FederatedFeatureBank.create({ numClasses: 3, perClass: 4, dim: 5, seed: 1 }).features).toEqual(bank.features);
    const big = FederatedFeatureBank.create({ numClasses: 10, dim: 64, seed: 2 });
    expect(big.perClass).toBe(100);
    const v = Array.from(big.features);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeCloseTo(1, 1);
    const scaled = FederatedFeatureBank.create({ numClasses: 10, dim: 64, seed: 2, initStd: 0.125 });
    expect(scaled.features[7]).toBeCloseTo(big.features[7] * 0.125, 6);
    const ws = bank.toWeightSet();
    expect(ws[0].shape).toEqual([3, 4, 5]);
    const back = FederatedFeatureBank.fromWeightSet(ws);
    expect(back.features).toEqual(bank.features);
    expect(() => FederatedFeatureBank.fromWeightSet([{ name: 'feature_bank', shape: [60], data: new Float32Array(60) }])).toThrow(ShapeError);
  });
});

forEachBackend(['cpu', 'wasm'], () => {
  it('its hand-written gradient equals tf.grad of gradient matching + λ·PCL', () => {
    const [c3, m, d, lambda, tau] = [3, 4, 5, 0.5, 0.1];
    const rng = new SeededRandom(9);
    const r = (n: number, s = 1) => rng.fillNormal(new Float32Array(n)).map((v) => v * s);
    const R = initLinearClassifier(c3, d, 1);
    const targets = new Map([0, 2].map((c) => [c, { gW: r(c3 * d, 0.1), gb: r(c3, 0.1) }]));
    const text = r(c3 * d);
    const features = r(c3 * m * d);
    const labels = Int32Array.from({ length: c3 * m }, (_, i) => Math.floor(i / m));
    const ctx = createBankStepContext({ numClasses: c3, perClass: m, dim: d, lambda, temperature: tau, weight: R.weight, bias: R.bias, targets, textEmbeddings: text });
    const manual = tf.tidy(() => {
      const blocks = Array.from({ length: c3 }, (_, c) => tf.tensor2d(features.subarray(c * m * d, (c + 1) * m * d), [m, d]));
      const out = bankLossAndGradient(ctx, blocks);
      return { match: out.match.dataSync()[0], pcl: out.pcl.dataSync()[0], grad: tf.concat(out.grads).dataSync() };
    });
    disposeBankStepContext(ctx);
    const kernel = createKernelBankStep({ numClasses: c3, perClass: m, dim: d, lambda, temperature: tau, weight: R.weight, bias: R.bias, targets, textEmbeddings: text, features }).lossAndGradient();
    const reference = tf.tidy(() => {
      const w = tf.tensor2d(R.weight, [c3, d]);
      const b = tf.tensor1d(R.bias);
      const T = tf.tensor2d(text, [c3, d]);
      const parts = (f: tf.Tensor2D) => {
        const match = tf.addN(
          [...targets].map(([c, t]) => {
            const g = classGradientTensors(w, b, tf.slice(f, [c * m, 0], [m, d]) as tf.Tensor2D, c);
            return gradientMatchDistance(tf.tensor2d(t.gW, [c3, d]), tf.tensor1d(t.gb), g.gW, g.gb);
          }),
        );
        return { match, pcl: prototypeContrastiveLoss(f, labels, T, tau) };
      };
      const F = tf.tensor2d(features, [c3 * m, d]);
      const { match, pcl } = parts(F);
      const grad = tf.grad((f: tf.Tensor) => {
        const p = parts(f as tf.Tensor2D);
        return tf.add(p.match, tf.mul(p.pcl, lambda)) as tf.Scalar;
      })(F);
      return { match: match.dataSync()[0], pcl: pcl.dataSync()[0], grad: grad.dataSync() };
    });
    expect(manual.match).toBeCloseTo(reference.match, 4);
    expect(manual.pcl).toBeCloseTo(reference.pcl, 4);
    const scale = Math.max(...Array.from(reference.grad, Math.abs));
    expectClose(manual.grad, reference.grad, 1e-4 * scale);
    // The WebAssembly SIMD step computes the same objective and gradient.
    expect(kernel.match).toBeCloseTo(reference.match, 4);
    expect(kernel.pcl).toBeCloseTo(reference.pcl, 4);
    expectClose(kernel.grad, reference.grad, 1e-4 * scale);
  });

  it('moves the bank the same way with the SIMD kernel as with tfjs, to float rounding (reference sizes but M = 20)', async () => {
    const [c10, d] = [10, 60]; // 60: not a multiple of the kernel's 8 lanes
    const rng = new SeededRandom(3);
    const grads = new Map<number, ClassGradient[]>();
    for (let c = 0; c < c10; c++) if (c !== 7) grads.set(c, [0, 1].map(() => ({ gW: rng.fillNormal(new Float32Array(c10 * d)).map((v) => v * 0.01), gb: rng.fillNormal(new Float32Array(c10)).map((v) => v * 0.1) })));
    const opts = { classifier: initLinearClassifier(c10, d, 2), clientClassGradients: grads, textEmbeddings: rng.fillNormal(new Float32Array(c10 * d)), steps: 30, lambda: 0.001 };
    const banks = (['wasm-simd', 'tfjs'] as const).map(() => FederatedFeatureBank.create({ numClasses: c10, perClass: 20, dim: d, seed: 1 }));
    const start = banks[0].features.slice();
    const [simd, tfjs] = [await updateFeatureBank(banks[0], { ...opts, implementation: 'wasm-simd' }), await updateFeatureBank(banks[1], { ...opts, implementation: 'tfjs' })];
    const moved = banks[1].features.map((v, i) => v - start[i]);
    const scale = Math.max(...Array.from(moved, Math.abs));
    expect(scale).toBeGreaterThan(1e-2);
    expectClose(banks[0].features.map((v, i) => v - start[i]), moved, 1e-3 * scale);
    expect(simd.matchLoss).toBeCloseTo(tfjs.matchLoss, 4);
    expect(simd.pclLoss).toBeCloseTo(tfjs.pclLoss, 4);
    expect(simd.loss).toBeLessThan(opts.steps * 2 * c10); // not NaN
  });

  it('moves only the classes some client reported (CReFF, lambda 0) and shrinks the matching loss', async () => {
    const { R, byClass } = await clientGradients();
    const bank = FederatedFeatureBank.create({ numClasses: C, perClass: 10, dim: D, seed: 3 });
    const start = bank.features.slice();
    const losses: number[] = [];
    const before = tf.memory().numTensors;
    const result = await updateFeatureBank(bank, {
      classifier: R,
      clientClassGradients: byClass,
      steps: 100,
      lambda: 0,
      onStep: ({ matchLoss }) => {
        losses.push(matchLoss);
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.matchedClasses).toEqual([0, 1, 2]);
    expect(losses).toHaveLength(100);
    expect(losses[99]).toBeLessThan(0.2 * losses[0]);
    expect(result.pclLoss).toBe(0);
    const size = 10 * D;
    expect(bank.features.subarray(3 * size)).toEqual(start.subarray(3 * size));
    expect(bank.features.subarray(0, size)).not.toEqual(start.subarray(0, size));
  });

  it('with lambda > 0 also pulls every class, reported or not, towards its text prototype', async () => {
    const { R, data } = await clientGradients();
    // Text embeddings = the class means; no client gradients at all, so only PCL acts.
    const bank = FederatedFeatureBank.create({ numClasses: C, perClass: 10, dim: D, seed: 4 });
    const nearestTextAccuracy = () =>
      tf.tidy(() => {
        const s = tf.matMul(tf.tensor2d(bank.features, [C * 10, D]), tf.transpose(tf.tensor2d(data.means, [C, D])));
        const pred = Array.from(tf.argMax(s, 1).dataSync());
        const labels = bank.labels();
        return pred.filter((p, i) => p === labels[i]).length / pred.length;
      });
    expect(nearestTextAccuracy()).toBeLessThan(0.6);
    const result = await updateFeatureBank(bank, { classifier: R, clientClassGradients: new Map(), textEmbeddings: data.means, steps: 50, lambda: 10 });
    expect(result.matchedClasses).toEqual([]);
    expect(nearestTextAccuracy()).toBe(1);
  });

  it('does nothing without gradients in CReFF mode, and checks its inputs', async () => {
    const { R, byClass } = await clientGradients();
    const bank = FederatedFeatureBank.create({ numClasses: C, perClass: 5, dim: D, seed: 5 });
    const start = bank.features.slice();
    expect((await updateFeatureBank(bank, { classifier: R, clientClassGradients: new Map(), lambda: 0 })).steps).toBe(0);
    expect(bank.features).toEqual(start);
    await expect(updateFeatureBank(bank, { classifier: R, clientClassGradients: byClass, lambda: 0.001 })).rejects.toThrow(OptionError);
    await expect(updateFeatureBank(bank, { classifier: initLinearClassifier(3, D, 0), clientClassGradients: byClass })).rejects.toThrow(/classifier is 3×16/);
    const bad = new Map([[0, [{ gW: new Float32Array(3), gb: new Float32Array(C) }]]]);
    await expect(updateFeatureBank(bank, { classifier: R, clientClassGradients: bad, lambda: 0 })).rejects.toThrow(ShapeError);
  });
});
