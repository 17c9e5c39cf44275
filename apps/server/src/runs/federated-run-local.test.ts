import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { decodeTensors, encodeTensors, PROTOCOL_VERSION, roundStartSchema, runConfigSchema, type RunConfig } from '@clipfed/protocol';
import type { WeightSet } from '@clipfed/fl';
import type { Evaluation, HeldOutEvaluator, ModelUnderTest } from './evaluator';
import { FederatedRun } from './federated-run';
import { RunStore } from './run-store';
import { centralisedTask, type RunTask } from './run-task';

type RoundStart = z.output<typeof roundStartSchema>;

const shard = (label: string, n: number) => ({ label, classNames: ['cat', 'dog'], width: 1, height: 1, labels: new Int32Array(n), images: new Uint8Array(3 * n) });
const set = (n: number) => ({ images: new Uint8Array(3 * n), labels: new Int32Array(n), width: 1, height: 1 });
const task: RunTask = {
  dataset: 'emoji-domains',
  classNames: ['cat', 'dog'],
  prompts: ['a cat', 'a dog'],
  shards: [shard('noto', 3), shard('twemoji', 5)],
  evaluationSets: [
    { name: 'noto test', heldOut: false, ownerShard: 0, data: set(2) },
    { name: 'twemoji test', heldOut: false, ownerShard: 1, data: set(2) },
    { name: 'openmoji (held out)', heldOut: true, data: set(4) },
  ],
};

/** Records what each evaluation was asked to measure; the scores themselves are not under test here. */
function recordingEvaluator(asked: ModelUnderTest[]): HeldOutEvaluator {
  const evaluation: Evaluation = { accuracy: 0.5, heldOutAccuracy: 0.5, perSet: {} };
  return {
    evaluateZeroShot: () => evaluation,
    evaluateModel: async (m: ModelUnderTest) => {
      asked.push(m);
      return evaluation;
    },
    textEmbeddings: new Float32Array(8),
  } as unknown as HeldOutEvaluator;
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function testRun(id: string, config: RunConfig, evaluator: HeldOutEvaluator) {
  const dir = await mkdtemp(join(tmpdir(), `clipfed-${id}-`));
  dirs.push(dir);
  return new FederatedRun({
    id,
    config,
    task,
    embedDim: 4,
    evaluator,
    store: await RunStore.create(dir, id, config),
    log: { info: () => undefined, warn: () => undefined },
    modelUrl: '/model/',
    maxUpdateBytes: 1 << 20,
  });
}

const localRun = (asked: ModelUnderTest[]) =>
  testRun('local-test', runConfigSchema.parse({ algorithm: 'local', rounds: 2, minClients: 2, updateDtype: 'float32' }), recordingEvaluator(asked)); // adapters compare exactly

/** Two clients join the run and are ready (3 and 5 samples); their inboxes collect the round starts. */
function twoReadyClients(run: FederatedRun) {
  const [inboxA, inboxB]: RoundStart[][] = [[], []];
  const a = joinClient(run, inboxA);
  const b = joinClient(run, inboxB);
  run.markReady(a, { runId: run.id, numSamples: 3, imagesEncoded: 3, encodeMs: 1 });
  run.markReady(b, { runId: run.id, numSamples: 5, imagesEncoded: 5, encodeMs: 1 });
  return { a, b, inboxA, inboxB };
}

function joinClient(run: FederatedRun, inbox: RoundStart[]): string {
  const welcome = run.join(
    { send: (event, ...args) => event === 'round:start' && inbox.push(roundStartSchema.parse(args[0])) },
    { protocolVersion: PROTOCOL_VERSION, clientKind: 'node', capabilities: { onnxBackend: 'node', tfBackend: 'cpu', backendReason: 'test' } },
  );
  if (!welcome.ok) throw new Error(welcome.message);
  return welcome.clientId;
}

const shifted = (w: WeightSet, by: number): WeightSet => w.map((t) => ({ ...t, data: t.data.map((v) => v + by) }));
const update = (run: FederatedRun, round: number, weights: WeightSet) => ({
  runId: run.id,
  round,
  numSamples: 3,
  metrics: { loss: 1, trainAccuracy: 0.5, trainMs: 1 },
  weights: encodeTensors(weights),
});

describe('the local algorithm', () => {
  it('keeps one adapter per shard: each client gets back its own, nothing is averaged across shards', async () => {
    const asked: ModelUnderTest[] = [];
    const run = await localRun(asked);
    await run.start();
    const { a, b, inboxA, inboxB } = twoReadyClients(run);
    const initial = run.global;
    const [sentA, sentB] = [decodeTensors(inboxA[0].weights), decodeTensors(inboxB[0].weights)];
    expect(sentA).toEqual(initial);

    expect(run.receiveUpdate(a, update(run, 1, shifted(sentA, 0.25)))).toEqual({ accepted: true });
    expect(run.receiveUpdate(b, update(run, 1, shifted(sentB, -0.5)))).toEqual({ accepted: true });
    await expect.poll(() => inboxA.length).toBe(2);

    // Round 2: each client starts from its own adapter; the global adapter never moved.
    expect(decodeTensors(inboxA[1].weights)[1].data[0]).toBeCloseTo(initial[1].data[0] + 0.25, 6);
    expect(decodeTensors(inboxB[1].weights)[1].data[0]).toBeCloseTo(initial[1].data[0] - 0.5, 6);
    expect(run.global).toBe(initial);
    // Evaluation measured each shard's own adapter.
    const last = asked.at(-1)!;
    expect(last.shardWeights).toHaveLength(2);
    expect(last.shardWeights![0][1].data[0]).toBeCloseTo(initial[1].data[0] + 0.25, 6);
  });

  it('refuses class gradients from a client of a run that takes none', async () => {
    const run = await localRun([]);
    await run.start();
    const inbox: RoundStart[] = [];
    const [a, b] = [joinClient(run, inbox), joinClient(run, [])];
    run.markReady(a, { runId: run.id, numSamples: 3, imagesEncoded: 3, encodeMs: 1 });
    run.markReady(b, { runId: run.id, numSamples: 5, imagesEncoded: 5, encodeMs: 1 });
    const weights = decodeTensors(inbox[0].weights);
    const ack = run.receiveUpdate(a, { ...update(run, 1, weights), classGradients: encodeTensors([{ name: 'class_gradients.classes', shape: [1], data: Float32Array.of(0) }]) });
    expect(ack).toMatchObject({ accepted: false, code: 'bad-update', reason: expect.stringMatching(/only sent in CLIP2FL/) });
  });
});

describe('the centralised task', () => {
  it('is one shard with every training image, and its evaluation sets have no owner', () => {
    const merged = centralisedTask(task);
    expect(merged.shards).toHaveLength(1);
    expect(merged.shards[0].labels.length).toBe(8);
    expect(merged.evaluationSets.map((s) => s.ownerShard)).toEqual([undefined, undefined, undefined]);
    expect(merged.evaluationSets.map((s) => s.name)).toEqual(task.evaluationSets.map((s) => s.name));
  });
});

describe('the zero-shot algorithm', () => {
  it('records CLIP with no adapter at all, not a freshly initialised adapter, and finishes at round 0', async () => {
    const config = runConfigSchema.parse({ algorithm: 'zero-shot', rounds: 3, minClients: 1 });
    const noAdapter: Evaluation = { accuracy: 0.7, heldOutAccuracy: 0.65, perSet: {} };
    const withAdapter: Evaluation = { accuracy: 0.6, heldOutAccuracy: 0.55, perSet: {} };
    const evaluator = {
      evaluateZeroShot: () => noAdapter,
      evaluateModel: async () => withAdapter,
      textEmbeddings: new Float32Array(8),
    } as unknown as HeldOutEvaluator;
    const run = await testRun('zero-shot-test', config, evaluator);
    await run.start();
    expect(run.status).toBe('finished');
    expect(run.metrics).toHaveLength(1);
    expect(run.metrics[0]).toMatchObject({ round: 0, accuracy: 0.7, zeroShotAccuracy: 0.7, heldOutAccuracy: 0.65 });
  });
});

describe('FedAvg across rounds', () => {
  it('each round the global adapter is the sample-weighted mean of that round’s uploads alone', async () => {
    // Shifts of several units per coordinate, far past the relative bound of this 4-d adapter: the arithmetic is under test.
    const config = runConfigSchema.parse({ algorithm: 'fedclip', rounds: 3, minClients: 2, updateDtype: 'float32', maxUpdateNorm: 1000 });
    const run = await testRun('fedavg-test', config, recordingEvaluator([]));
    await run.start();
    const { a, b, inboxA } = twoReadyClients(run);
    for (let round = 1; round <= 3; round++) {
      await expect.poll(() => inboxA.length).toBe(round);
      const start = decodeTensors(inboxA[round - 1].weights);
      const fromA = shifted(start, round);
      const fromB = shifted(start, -2 * round);
      expect(run.receiveUpdate(a, { ...update(run, round, fromA), numSamples: 3 })).toEqual({ accepted: true });
      expect(run.receiveUpdate(b, { ...update(run, round, fromB), numSamples: 5 })).toEqual({ accepted: true });
      await expect.poll(() => run.round).toBe(round);
      // (3·(x + r) + 5·(x − 2r)) / 8 = x − 7r/8: a sum carried over from the round before would be far off.
      run.global.forEach((t, k) => expect(Math.max(...t.data.map((v, i) => Math.abs(v - (start[k].data[i] - (7 * round) / 8))))).toBeLessThan(1e-5));
    }
    await expect.poll(() => run.status).toBe('finished');
  });
});
