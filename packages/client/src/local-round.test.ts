import { beforeAll, describe, expect, it } from 'vitest';
import {
  adaptFeatureArray,
  classGradientsFromWeightSet,
  classifierToWeightSet,
  computeClientClassGradients,
  initAdapterWeights,
  initLinearClassifier,
  initNodeTfBackend,
} from '@clipfed/fl';
import { LocalRoundError, trainLocalRound } from './local-round';
import type { TrainRequest } from './platform';

const D = 8;
const K = 3;
const features = Float32Array.from({ length: 12 * D }, (_, i) => Math.sin(1.7 * i) * 3);
const labels = Int32Array.from({ length: 12 }, (_, i) => (i < 6 ? 0 : 2));
const text = Float32Array.from({ length: K * D }, (_, i) => Math.cos(0.9 * i));
const base: TrainRequest = {
  clientModel: 'fedclip-adapter',
  weights: initAdapterWeights(D, 1),
  features,
  labels,
  textEmbeddings: text,
  dim: D,
  training: { localEpochs: 2, batchSize: 4, learningRate: 1e-2, weightDecay: 0.2, seed: 3, objective: 'clip' },
};

beforeAll(async () => {
  await initNodeTfBackend(['cpu'], () => undefined);
});

describe("a client's round", () => {
  it('without CLIP2FL is plain adapter training and sends no class gradients', async () => {
    const result = await trainLocalRound(base);
    expect(result.classGradients).toBeUndefined();
    expect(result.steps).toBe(6);
  });

  it('computes class gradients of R on the features adapted by the round adapter, before training', async () => {
    const R = initLinearClassifier(K, D, 5);
    const result = await trainLocalRound({ ...base, probe: { classifier: classifierToWeightSet(R), batchSize: 32, repeats: 10, seed: 9 } });
    const sent = classGradientsFromWeightSet(result.classGradients!, K, D);
    expect([...sent.keys()]).toEqual([0, 2]);
    const expected = computeClientClassGradients(R, adaptFeatureArray(base.weights, features, D), labels, { seed: 9 });
    for (const c of [0, 2]) {
      expect(Array.from(sent.get(c)!.gW)).toEqual(Array.from(expected.get(c)!.gW));
      expect(Array.from(sent.get(c)!.gb)).toEqual(Array.from(expected.get(c)!.gb));
    }
  });

  it('distils from zero-shot CLIP when asked, which changes what it learns', async () => {
    const plain = await trainLocalRound(base);
    const kd = await trainLocalRound({ ...base, kd: { temperature: 3, alpha: 1 } });
    expect(kd.meanLoss).not.toBeCloseTo(plain.meanLoss, 6);
    expect(Array.from(kd.weights[0].data)).not.toEqual(Array.from(plain.weights[0].data));
  });

  it('refuses a classifier that does not fit its classes or features', async () => {
    const wrong = classifierToWeightSet(initLinearClassifier(K + 1, D, 5));
    await expect(trainLocalRound({ ...base, probe: { classifier: wrong, batchSize: 32, repeats: 1, seed: 1 } })).rejects.toThrow(LocalRoundError);
  });
});
