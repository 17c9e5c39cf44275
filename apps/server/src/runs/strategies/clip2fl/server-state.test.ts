import { beforeAll, describe, expect, it } from 'vitest';
import { accuracy, computeClientClassGradients, initNodeTfBackend, predictWithClassifier, type ClassGradient } from '@clipfed/fl';
import { clip2flSettingsSchema } from '@clipfed/protocol';
import { Clip2flServerState } from './server-state';

const C = 4;
const D = 16;
const settings = clip2flSettingsSchema.parse({ featuresPerClass: 8, matchSteps: 12, retrainEpochs: 12, retrainLr: 0.5 });

/** Unit-norm features around one direction per class. */
function features(perClass: number, seed: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(C * perClass * D);
  const y = new Int32Array(C * perClass);
  for (let i = 0; i < C * perClass; i++) {
    const c = i % C;
    y[i] = c;
    let norm = 0;
    for (let k = 0; k < D; k++) {
      const v = (k === c ? 3 : 0) + Math.sin(seed * 97 + i * 13 + k * 7) * 0.5;
      x[i * D + k] = v;
      norm += v * v;
    }
    for (let k = 0; k < D; k++) x[i * D + k] /= Math.sqrt(norm);
  }
  return { x, y };
}

beforeAll(async () => {
  await initNodeTfBackend(['cpu'], () => undefined);
});

describe('the CLIP2FL server state', () => {
  it('round-trips the feature bank and R through checkpoint tensors, and refuses a bank of another size', () => {
    const state = Clip2flServerState.create({ numClasses: C, dim: D, settings, seed: 3 });
    const back = Clip2flServerState.fromWeightSet(state.toWeightSet(), { numClasses: C, dim: D, featuresPerClass: 8 });
    expect(back.bank.features).toEqual(state.bank.features);
    expect(back.classifier).toEqual(state.classifier);
    expect(() => Clip2flServerState.fromWeightSet(state.toWeightSet(), { numClasses: C, dim: D, featuresPerClass: 9 })).toThrow(/4x8x16.*4x9x16/);
  });

  it('learns a classifier from class gradients alone, while the event loop keeps turning', async () => {
    const state = Clip2flServerState.create({ numClasses: C, dim: D, settings, seed: 1 });
    const text = features(1, 5).x;
    const test = features(25, 9);
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    for (let round = 0; round < 2; round++) {
      const gradients = new Map<number, ClassGradient[]>();
      for (let client = 0; client < 3; client++) {
        const local = features(6, 10 * round + client);
        for (const [c, g] of await computeClientClassGradients(state.classifier, local.x, local.y, { seed: client })) gradients.set(c, [...(gradients.get(c) ?? []), g]);
      }
      const bankBefore = state.bank.features.slice();
      const stats = await state.step({ backend: 'cpu', gradients, clientsWithGradients: 3, textEmbeddings: text, settings, lambda: 0.001, seed: round });
      expect(stats).toMatchObject({ backend: 'cpu', matchedClasses: [0, 1, 2, 3], matchSteps: 12, retrainEpochs: 12, clientsWithGradients: 3 });
      // bankShift is the RMS over the C·M federated features of how far each moved.
      let sq = 0;
      for (let i = 0; i < bankBefore.length; i++) sq += (state.bank.features[i] - bankBefore[i]) ** 2;
      expect(stats.bankShift).toBeGreaterThan(0);
      expect(stats.bankShift).toBeCloseTo(Math.sqrt(sq / (C * 8)), 5);
    }
    spinning = false;
    // Every bank step and every re-training epoch yielded at least once.
    expect(turns).toBeGreaterThanOrEqual(2 * (12 + 12));
    expect(accuracy(await predictWithClassifier(state.classifier, test.x), test.y)).toBeGreaterThan(0.9);
  });

  it('reports a bank shift of 0 when a CReFF round has no class gradients to match', async () => {
    const state = Clip2flServerState.create({ numClasses: C, dim: D, settings, seed: 2 });
    const bank = state.bank.features.slice();
    const stats = await state.step({ backend: 'cpu', gradients: new Map(), clientsWithGradients: 0, textEmbeddings: features(1, 5).x, settings, lambda: 0, seed: 0 });
    expect(stats).toMatchObject({ matchedClasses: [], matchSteps: 0, bankShift: 0, clientsWithGradients: 0 });
    expect(state.bank.features).toEqual(bank);
  });
});
