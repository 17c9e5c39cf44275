import { describe, expect, it } from 'vitest';
import { adapterParameterCount } from '../adapter';
import { zeroShotLogits } from '../kd';
import { preprocessPixels } from '../pixels';
import { studentParameterCount } from '../student/student-spec';
import { forEachBackend, TEST_BACKENDS } from '../testing';
import type { ClientModelContext, ClientModelData } from './client-model';
import { CLIENT_MODELS, clientModelFor, largestUpdateBytes } from './registry';
import { studentConfigFor } from './student-resnet8';

const d = 8;
const n = 12;
const context: ClientModelContext = { embedDim: d, numClasses: 3, pixels: { width: 6, height: 5, channels: 1, mean: [0.5], std: [0.25] } };
const rgb = Uint8Array.from({ length: n * 7 * 7 * 3 }, (_, i) => (i * 37) % 256);
const data: ClientModelData = {
  clipFeatures: Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.7) + (i % d === 0 ? 2 : 0)),
  pixels: preprocessPixels(rgb, 7, 7, context.pixels),
  textEmbeddings: Float32Array.from({ length: 3 * d }, (_, i) => Math.cos(i * 0.9)),
};
const labels = Int32Array.from({ length: n }, (_, i) => i % 3);

forEachBackend(TEST_BACKENDS, () => {
  it.each(Object.values(CLIENT_MODELS))('$id: init matches its spec, outputs one feature row and prediction per image, training moves the weights', async (model) => {
    const weights = model.init(context, 3);
    expect(weights.map((t) => [t.name, t.shape])).toEqual(model.spec(context).map((s) => [s.name, s.shape]));
    const out = await model.outputs(weights, data, context);
    expect(out.features).toHaveLength(n * model.featureDim(context));
    expect(out.predictions).toHaveLength(n);
    for (const p of out.predictions) expect(p >= 0 && p < 3).toBe(true);
    const kd = { teacherLogits: await zeroShotLogits(data.clipFeatures!, data.textEmbeddings, d), temperature: 3, alpha: 1 };
    const trained = await model.train({ weights, context, data, labels, epochs: 2, batchSize: 4, lr: 1e-2, seed: 1, kd });
    expect(trained.steps).toBe(6);
    expect(Number.isFinite(trained.meanLoss)).toBe(true);
    expect(trained.weights.some((t, k) => t.data.some((v, i) => v !== weights[k].data[i]))).toBe(true);
  });

  it('adapters give unit-norm adapted CLIP features of the embedding size; the student its 512-d feature layer', async () => {
    for (const id of ['fedclip-adapter', 'clip-adapter'] as const) {
      const model = clientModelFor(id);
      expect(model.featureDim(context)).toBe(d);
      const { features } = await model.outputs(model.init(context, 1), data, context);
      for (let r = 0; r < n; r++) expect(Math.hypot(...features.subarray(r * d, (r + 1) * d))).toBeCloseTo(1, 4);
    }
    const student = clientModelFor('student-resnet8');
    expect(student.featureDim(context)).toBe(512);
    expect(student.inputs).toContain('pixels');
  });

  it('refuses data without the input a model reads, by name', async () => {
    const student = clientModelFor('student-resnet8');
    await expect(student.outputs(student.init(context, 1), { textEmbeddings: data.textEmbeddings }, context)).rejects.toThrow(/ResNet-8 student needs preprocessed pixels/);
    const adapter = clientModelFor('fedclip-adapter');
    await expect(adapter.outputs(adapter.init(context, 1), { textEmbeddings: data.textEmbeddings }, context)).rejects.toThrow(/CLIP features/);
  });
});

describe('the update size bound', () => {
  it('holds every registered model in float32, the student with BN statistics, 3 input channels and many classes', () => {
    expect(largestUpdateBytes(512, 32)).toBeGreaterThanOrEqual(adapterParameterCount(512) * 4);
    const student = clientModelFor('student-resnet8');
    const big = { ...context, embedDim: 512, numClasses: 32, pixels: { width: 28, height: 28, channels: 3 as const, mean: [0, 0, 0], std: [1, 1, 1] } };
    const studentBytes = student.spec(big).reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0) * 4;
    // Trainable parameters plus 2 running statistics per BN channel.
    expect(studentBytes).toBeGreaterThan(studentParameterCount(studentConfigFor(big)) * 4);
    expect(largestUpdateBytes(512, 32)).toBeGreaterThanOrEqual(studentBytes);
    // With a small CLIP the student is the largest model: the bound follows it.
    expect(largestUpdateBytes(8, 32)).toBe(student.spec({ ...big, embedDim: 8 }).reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0) * 4);
  });
});
