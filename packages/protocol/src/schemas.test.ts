import { describe, expect, it } from 'vitest';
import { clientUpdateSchema, clientHelloSchema } from './schemas';
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

describe('run config', () => {
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
