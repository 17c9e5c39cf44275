import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { FederatedClient, type ClientSocket } from '@clipfed/client';
import { createNodePlatform, memoryFeatureCache } from '@clipfed/client/node';
import { defaultFashionMnistDir } from '@clipfed/data';
import { initNodeTfBackend, studentSpec, studentConfigFor, type ClientModelContext } from '@clipfed/fl';
import { runConfigSchema, socketParser, type RoundMetricsRow, type RunConfigInput, type ShotAccuracy } from '@clipfed/protocol';
import { ClassGradientStrategy, type FederatedRun, type FederatedServer } from '@clipfed/server';
import { BUILTIN_MODEL_DIR, startBuiltinModelServer } from './builtin-server';

const haveFashionMnist = existsSync(join(defaultFashionMnistDir(), 't10k-labels-idx1-ubyte.gz')) || existsSync(join(defaultFashionMnistDir(), 't10k-labels-idx1-ubyte'));

const ROUNDS = 4;
/**
 * CLIP2FL with its ResNet-8 student on a small Fashion-MNIST-LT: head class 300, IF 50 (300, 194, 125, 81, 52, 34, 22, 14, 9, 6 images per class),
 * two Dirichlet shards with 200 images per client, 3 local epochs (about 20 SGD steps per client and round), 50 test
 * images per class. Shot groups (ImageNet-LT's thresholds × 0.5: many > 50, few < 10): classes 0-4 many, 5-7
 * medium, 8-9 (9 and 6 images) few. About 1.5 minutes on the 2-core machine.
 */
const STUDENT_LT: RunConfigInput = {
  dataset: 'fashion-mnist-lt',
  algorithm: 'clip2fl',
  clientModel: 'student-resnet8',
  rounds: ROUNDS,
  localEpochs: 3,
  fashionMnistLt: { imbalanceFactor: 50, headClassSize: 300, clientShards: 2, testPerClass: 50 },
  maxImagesPerClient: 200,
  minClients: 2,
  roundDeadlineMs: 300_000,
  clip2fl: { featuresPerClass: 20, matchSteps: 20, retrainEpochs: 20, retrainLr: 0.1 },
};

let dir: string;
let server: FederatedServer | null = null;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipfed-student-'));
  await initNodeTfBackend(['wasm', 'cpu'], () => undefined);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const few = (shots: ShotAccuracy | undefined) => shots?.few ?? NaN;

describe.skipIf(!haveFashionMnist)("CLIP2FL's student on Fashion-MNIST-LT with Node clients over real sockets", { timeout: 600_000 }, () => {
  it("re-balances the long tail: the balanced head (student features + R) beats the student's FedAvg head on the few-shot classes, and a restart restores both", async () => {
    server = await startBuiltinModelServer(dir);
    const run = await server.registry.create(runConfigSchema.parse(STUDENT_LT));
    expect(run.task.trainClassCounts).toEqual([300, 194, 125, 81, 52, 34, 22, 14, 9, 6]);
    expect(run.config.learningRate, "the student's default: CLIP2FL's SGD step").toBe(0.1);
    expect(run.config.name).toBe('clip2fl-student-resnet8-fashion-mnist-lt');
    const rows: RoundMetricsRow[] = [...run.metrics];
    run.on('metrics', (row: RoundMetricsRow) => rows.push(row));
    const sharedModel = loadClipModelFromDir(BUILTIN_MODEL_DIR);
    const featureCache = memoryFeatureCache();
    for (let i = 0; i < 2; i++) {
      const socket: ClientSocket = io(server.url, { transports: ['websocket'], parser: socketParser });
      sockets.push(socket);
      new FederatedClient(socket, createNodePlatform({ serverUrl: server.url, modelDir: BUILTIN_MODEL_DIR, tfBackend: 'wasm', sharedModel, featureCache }), { runId: run.id });
    }
    await finished(run);
    for (const s of sockets.splice(0)) s.disconnect();
    await (await sharedModel).dispose();

    expect(rows.map((r) => r.round)).toEqual([0, 1, 2, 3, 4]);
    for (const r of rows.slice(1)) {
      console.log(
        `student CLIP2FL round ${r.round}: FedAvg head ${pct(r.accuracy)} (few-shot ${pct(few(r.shots))}), balanced head ${pct(r.balancedHead!.accuracy)} (few-shot ${pct(few(r.balancedHead!.shots))}), zero-shot CLIP ${pct(r.zeroShotAccuracy)}`,
      );
      expect(r.participants).toHaveLength(2);
      // The server step ran on the student's 512-d features: every class is held by some client.
      expect(r.serverStep).toMatchObject({ clientsWithGradients: 2, matchSteps: 20, retrainEpochs: 20 });
      expect(r.serverStep!.bankShift).toBeGreaterThan(0);
      for (const head of [r.shots!, r.balancedHead!.shots!]) for (const g of ['many', 'medium', 'few'] as const) expect(head[g]).toEqual(expect.any(Number));
    }
    // The student learned something (10 classes: chance is 10 %).
    expect(rows.at(-1)!.accuracy).toBeGreaterThan(0.15);
    // The long-tail bias the balanced head removes: the FedAvg head favours the classes it saw most…
    const last2 = rows.slice(-2);
    expect(mean(last2.map((r) => r.shots!.many!))).toBeGreaterThan(mean(last2.map((r) => few(r.shots))));
    // …and the balanced head, trained on federated features, recognises more of the few-shot classes (averaged
    // over the last two rounds: one round's 100 few-shot test images move by several points).
    expect(mean(last2.map((r) => few(r.balancedHead!.shots)))).toBeGreaterThan(mean(last2.map((r) => few(r.shots))));

    // A restarted server restores the student (BN statistics included), the feature bank and R from the checkpoint.
    const global = run.strategy.global;
    const state = (run.strategy as ClassGradientStrategy).state;
    await server.close();
    server = await startBuiltinModelServer(dir);
    const restored = server.registry.get(run.id)!;
    expect(restored.round).toBe(ROUNDS);
    const context: ClientModelContext = { embedDim: 512, numClasses: 10, pixels: { width: 28, height: 28, channels: 1, mean: [0.286], std: [0.353] } };
    expect(restored.strategy.global.map((t) => t.name)).toEqual(studentSpec(studentConfigFor(context)).map((s) => s.name));
    expect(restored.strategy.global).toEqual(global);
    const restoredState = (restored.strategy as ClassGradientStrategy).state;
    expect(restoredState.classifier).toEqual(state.classifier);
    expect(restoredState.bank.features).toEqual(state.bank.features);
  });
});

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const finished = (run: FederatedRun) => (run.status === 'finished' ? Promise.resolve() : new Promise<void>((r) => run.once('finished', () => r())));
