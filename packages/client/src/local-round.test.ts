import { beforeAll, describe, expect, it } from 'vitest';
import {
  classGradientsFromWeightSet,
  classifierToWeightSet,
  clientModelFor,
  computeClientClassGradients,
  FASHION_MNIST_PIXELS,
  initAdapterWeights,
  initLinearClassifier,
  initNodeTfBackend,
  preprocessPixels,
  studentFeatures,
  studentConfigFor,
  type ClientModelContext,
} from '@clipfed/fl';
import { LocalRoundError, trainLocalRound } from './local-round';
import type { TrainRequest } from './platform';

const D = 8;
const K = 3;
const features = Float32Array.from({ length: 12 * D }, (_, i) => Math.sin(1.7 * i) * 3);
const labels = Int32Array.from({ length: 12 }, (_, i) => (i < 6 ? 0 : 2));
const text = Float32Array.from({ length: K * D }, (_, i) => Math.cos(0.9 * i));
const context: ClientModelContext = { embedDim: D, numClasses: K, pixels: { ...FASHION_MNIST_PIXELS, width: 8, height: 8 } };
const base: TrainRequest = {
  clientModel: 'fedclip-adapter',
  weights: initAdapterWeights(D, 1),
  features,
  labels,
  textEmbeddings: text,
  context,
  training: { localEpochs: 2, batchSize: 4, learningRate: 1e-2, weightDecay: 0.2, seed: 3, objective: 'clip' },
};
const rgb = Uint8Array.from({ length: 12 * 8 * 8 * 3 }, (_, i) => (i * 29 + (i % 3)) % 256);
const student: TrainRequest = {
  ...base,
  clientModel: 'student-resnet8',
  weights: clientModelFor('student-resnet8').init(context, 2),
  pixels: preprocessPixels(rgb, 8, 8, context.pixels),
  training: { ...base.training, learningRate: 0.1, weightDecay: 0 },
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
    const { features: adapted } = await clientModelFor('fedclip-adapter').outputs(base.weights, { clipFeatures: features, textEmbeddings: text }, context);
    const expected = await computeClientClassGradients(R, adapted, labels, { seed: 9 });
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

describe("a student client's round", () => {
  it("probes R on the student's 512-d features of the round's weights, then trains the student on its pixels", async () => {
    const R = initLinearClassifier(K, 512, 5);
    const result = await trainLocalRound({ ...student, probe: { classifier: classifierToWeightSet(R), batchSize: 32, repeats: 2, seed: 9 } });
    const sent = classGradientsFromWeightSet(result.classGradients!, K, 512);
    const expected = await computeClientClassGradients(R, await studentFeatures(student.weights, studentConfigFor(context), student.pixels!), labels, { repeats: 2, seed: 9 });
    for (const c of [0, 2]) expect(Array.from(sent.get(c)!.gW)).toEqual(Array.from(expected.get(c)!.gW));
    expect(result.steps).toBe(6);
    expect(result.weights.map((t) => t.name)).toEqual(student.weights.map((t) => t.name));
    // BN running statistics moved with training (they travel with the weights for FedAvg).
    const mean = result.weights.find((t) => t.name === 'bn1.running_mean')!;
    expect(mean.data.some((v) => v !== 0)).toBe(true);
  });

  it('distils from zero-shot CLIP logits of its CLIP features (the teacher), which changes what the student learns', async () => {
    const plain = await trainLocalRound(student);
    const kd = await trainLocalRound({ ...student, kd: { temperature: 3, alpha: 1 } });
    expect(kd.meanLoss).not.toBeCloseTo(plain.meanLoss, 4);
    expect(Array.from(kd.weights[0].data)).not.toEqual(Array.from(plain.weights[0].data));
  });

  it("refuses R of CLIP's size when the student's features are 512-d, and a round without pixels", async () => {
    const clipSized = classifierToWeightSet(initLinearClassifier(K, D, 5));
    await expect(trainLocalRound({ ...student, probe: { classifier: clipSized, batchSize: 32, repeats: 1, seed: 1 } })).rejects.toThrow(/3 classes of 512-d features/);
    await expect(trainLocalRound({ ...student, pixels: undefined })).rejects.toThrow(/needs preprocessed pixels/);
  });
});
