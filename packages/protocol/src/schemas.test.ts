import { describe, expect, it } from 'vitest';
import { clientUpdateSchema, clientHelloSchema, roundStartSchema } from './schemas';
import { parseMessage } from './validate';
import { encodeTensor } from './tensor-codec';
import { runConfigSchema } from './run-config';
import { PROTOCOL_VERSION } from './version';

const weights = [encodeTensor({ name: 'b1', shape: [4], data: new Float32Array(4) })];
const update = {
  runId: 'r1',
  round: 0,
  numSamples: 10,
  metrics: { loss: 1, trainAccuracy: 0.5, trainMs: 3, steps: 1 },
  weights,
};

describe('message schemas', () => {
  it('accepts a well-formed update and yields Uint8Array bytes from an ArrayBuffer', () => {
    const r = parseMessage(clientUpdateSchema, { ...update, weights: [{ ...weights[0], bytes: weights[0].bytes.buffer }] });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.weights[0].bytes).toBeInstanceOf(Uint8Array);
  });

  it('names the field of a malformed update', () => {
    const r = parseMessage(clientUpdateSchema, { ...update, round: 'one' });
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('round') });
    const nan = parseMessage(clientUpdateSchema, { ...update, metrics: { ...update.metrics, loss: NaN } });
    expect(nan.ok).toBe(false);
    const json = parseMessage(clientUpdateSchema, { ...update, weights: [{ ...weights[0], bytes: [0, 0, 0, 0] }] });
    expect(json).toEqual({ ok: false, reason: expect.stringContaining('binary') });
  });

  it('refuses unknown fields and absurd shapes', () => {
    expect(parseMessage(clientUpdateSchema, { ...update, extra: 1 }).ok).toBe(false);
    const huge = { ...weights[0], shape: [1 << 21] };
    expect(parseMessage(clientUpdateSchema, { ...update, weights: [huge] }).ok).toBe(false);
  });

  it('validates a hello', () => {
    const hello = {
      protocolVersion: PROTOCOL_VERSION,
      clientKind: 'browser',
      capabilities: { onnxBackend: 'wasm', tfBackend: 'wasm', backendReason: 'forced' },
    };
    expect(parseMessage(clientHelloSchema, hello).ok).toBe(true);
    expect(parseMessage(clientHelloSchema, { ...hello, clientKind: 'robot' }).ok).toBe(false);
  });
});

describe('CLIP2FL messages', () => {
  const classifier = [
    encodeTensor({ name: 'classifier.weight', shape: [3, 4], data: new Float32Array(12) }),
    encodeTensor({ name: 'classifier.bias', shape: [3], data: new Float32Array(3) }),
  ];
  const round = {
    runId: 'r1',
    round: 1,
    totalRounds: 2,
    deadlineAt: 0,
    training: { localEpochs: 1, batchSize: 32, learningRate: 5e-5, weightDecay: 0.2, seed: 1 },
    weights,
    clip2fl: { classifier, gradientBatchSize: 32, gradientRepeats: 10, kd: { temperature: 3, alpha: 1 } },
  };

  it('carries R and the probe settings with a round, and refuses anything extra', () => {
    expect(parseMessage(roundStartSchema, round).ok).toBe(true);
    expect(parseMessage(roundStartSchema, { ...round, clip2fl: { ...round.clip2fl, lambda: 1 } }).ok).toBe(false);
    expect(parseMessage(roundStartSchema, { ...round, clip2fl: { ...round.clip2fl, kd: { temperature: 0, alpha: 1 } } }).ok).toBe(false);
    expect(parseMessage(roundStartSchema, { ...round, clip2fl: { ...round.clip2fl, classifier: [...classifier, ...classifier] } }).ok).toBe(false);
  });

  it('accepts class gradients next to the adapter, at most three tensors', () => {
    const grads = [
      encodeTensor({ name: 'class_gradients.classes', shape: [1], data: Float32Array.of(2) }),
      encodeTensor({ name: 'class_gradients.weight', shape: [1, 3, 4], data: new Float32Array(12) }),
      encodeTensor({ name: 'class_gradients.bias', shape: [1, 3], data: new Float32Array(3) }),
    ];
    expect(parseMessage(clientUpdateSchema, { ...update, classGradients: grads }).ok).toBe(true);
    expect(parseMessage(clientUpdateSchema, { ...update, classGradients: [...grads, grads[0]] }).ok).toBe(false);
    expect(parseMessage(clientUpdateSchema, { ...update, classGradients: [] }).ok).toBe(false);
  });
});

describe('run config', () => {
  it('fills the CLIP2FL and Fashion-MNIST-LT defaults of the reference code', () => {
    const c = runConfigSchema.parse({ algorithm: 'clip2fl', dataset: 'fashion-mnist-lt' });
    expect(c.fashionMnistLt).toEqual({ imbalanceFactor: 100, clientShards: 20, dirichletAlpha: 0.5, headClassSize: 6000, testPerClass: 1000 });
    expect(c.clip2fl).toMatchObject({ kd: true, kdAlpha: 1, kdTemperature: 3, pclLambda: 0.001, featuresPerClass: 100, matchSteps: 100, retrainEpochs: 300 });
    expect(runConfigSchema.parse({ clip2fl: { kd: false, matchSteps: 5 } }).clip2fl).toMatchObject({ kd: false, matchSteps: 5, retrainEpochs: 300 });
    expect(parseMessage(runConfigSchema, { clip2fl: { lambda: 1 } }).ok).toBe(false);
  });

  it('reads dataset settings written at the top level, as run folders and scripts from before their nesting do', () => {
    const legacy = runConfigSchema.parse({ dataset: 'fashion-mnist-lt', imbalanceFactor: 10, clientShards: 5, dataSeed: 7, fashionMnistLt: { testPerClass: 50 } });
    expect(legacy.fashionMnistLt).toEqual({ imbalanceFactor: 10, headClassSize: 6000, clientShards: 5, dirichletAlpha: 0.5, testPerClass: 50, dataSeed: 7 });
    expect(legacy).not.toHaveProperty('imbalanceFactor');
    expect(runConfigSchema.parse({ heldOutDomain: 'noto', clientDomains: ['twemoji'] }).emojiDomains).toEqual({ heldOutDomain: 'noto', clientDomains: ['twemoji'] });
    // Given both ways, one value would be dropped without a word: refused, naming the setting.
    const both = parseMessage(runConfigSchema, { imbalanceFactor: 10, fashionMnistLt: { imbalanceFactor: 50 } });
    expect(both).toEqual({ ok: false, reason: expect.stringContaining('imbalanceFactor is given both at the top level and as fashionMnistLt.imbalanceFactor') });
    // Out-of-range values are still named, wherever they were written.
    expect(parseMessage(runConfigSchema, { imbalanceFactor: 0 })).toEqual({ ok: false, reason: expect.stringMatching(/^fashionMnistLt\.imbalanceFactor: /) });
    expect(parseMessage(runConfigSchema, { fashionMnistLt: { shards: 3 } }).ok).toBe(false);
  });

  it('names a run after its algorithm and dataset unless it is given a name', () => {
    expect(runConfigSchema.parse({}).name).toBe('fedclip-emoji-domains');
    expect(runConfigSchema.parse({ algorithm: 'clip2fl', dataset: 'fashion-mnist-lt' }).name).toBe('clip2fl-fashion-mnist-lt');
    expect(runConfigSchema.parse({ algorithm: 'clip2fl', name: 'week 3 demo' }).name).toBe('week 3 demo');
    expect(parseMessage(runConfigSchema, { name: '' }).ok).toBe(false);
  });

  it('fills the FedCLIP defaults', () => {
    const c = runConfigSchema.parse({});
    expect(c).toMatchObject({ algorithm: 'fedclip', learningRate: 5e-5, weightDecay: 0.2, batchSize: 32, aggregation: 'fedavg' });
  });
  it('rejects a wrong value with the field name', () => {
    const r = parseMessage(runConfigSchema, { rounds: 0 });
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('rounds') });
    expect(parseMessage(runConfigSchema, { minClients: 5, maxClientsPerRound: 2 }).ok).toBe(false);
    expect(parseMessage(runConfigSchema, { algorithm: 'fedsgd' }).ok).toBe(false);
  });
});
