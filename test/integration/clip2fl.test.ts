import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { FederatedClient, type ClientSocket } from '@clipfed/client';
import { createNodePlatform } from '@clipfed/client/node';
import { defaultFashionMnistDir } from '@clipfed/data';
import { runConfigSchema, type RunConfigInput } from '@clipfed/protocol';
import { type FederatedRun, RunStore, ClassGradientStrategy } from '@clipfed/server';
import { startFixtureServer, type FixtureServer } from './fixture-server';

const haveFashionMnist = existsSync(join(defaultFashionMnistDir(), 't10k-labels-idx1-ubyte.gz')) || existsSync(join(defaultFashionMnistDir(), 't10k-labels-idx1-ubyte'));

/**
 * A small Fashion-MNIST-LT: head class 600, IF 100 (600 … 6 images per class), three client shards,
 * 20 test images per class. Unscaled ImageNet-LT thresholds (600/6000·10 = 1: many > 100, few < 20)
 * put 4 classes in many, 3 in medium and 3 in few.
 */
const SMALL_LT: RunConfigInput = {
  dataset: 'fashion-mnist-lt',
  algorithm: 'clip2fl',
  fashionMnistLt: { imbalanceFactor: 100, headClassSize: 600, clientShards: 3, testPerClass: 20 },
  minClients: 3,
  roundDeadlineMs: 120_000,
  learningRate: 1e-3,
  clip2fl: { featuresPerClass: 6, matchSteps: 4, retrainEpochs: 4, retrainLr: 0.5, gradientRepeats: 2 },
};

let fixture: FixtureServer | undefined;
const sockets: ClientSocket[] = [];

/** The fixture server, started by the first test that needs it. */
const started = async (): Promise<FixtureServer> => (fixture ??= await startFixtureServer());

function joinClients(url: string, runId: string, n: number): void {
  const sharedModel = loadClipModelFromDir(fixture!.modelDir);
  for (let i = 0; i < n; i++) {
    const socket: ClientSocket = io(url, { transports: ['websocket'], reconnectionDelay: 200, reconnectionDelayMax: 1000 });
    sockets.push(socket);
    new FederatedClient(socket, createNodePlatform({ serverUrl: url, modelDir: fixture!.modelDir, tfBackend: 'wasm', sharedModel }), { runId });
  }
}

const finished = (run: FederatedRun) => (run.status === 'finished' ? Promise.resolve() : new Promise<void>((r) => run.once('finished', () => r())));

// Rows read back from metrics.jsonl as written; the assertions below name the fields they check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function metricsRows(runId: string): Promise<Record<string, any>[]> {
  const text = await readFile(join(fixture!.dir, 'runs', runId, 'metrics.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/** The feature bank and R of a CLIP2FL / CReFF run. */
function serverState(run: FederatedRun) {
  if (!(run.strategy instanceof ClassGradientStrategy)) throw new Error(`run ${run.id} is ${run.config.algorithm}, not CLIP2FL / CReFF`);
  return run.strategy.state;
}

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await fixture?.close();
});

describe.skipIf(!haveFashionMnist)('CLIP2FL on Fashion-MNIST-LT with Node simulated clients', { timeout: 300_000 }, () => {
  it('completes its rounds and records both heads, overall and many / medium / few-shot', async () => {
    const { server } = await started();
    const run = await server.registry.create(runConfigSchema.parse({ ...SMALL_LT, rounds: 2 }));
    expect(run.task.trainClassCounts).toEqual([600, 359, 215, 129, 77, 46, 27, 16, 10, 6]);
    const initialR = serverState(run).classifier.weight.slice();
    joinClients(server.url, run.id, 3);
    await finished(run);

    const rows = await metricsRows(run.id);
    expect(rows.map((r) => r.round)).toEqual([0, 1, 2]);
    for (const row of rows) {
      for (const head of [row, row.balancedHead]) {
        expect(head.accuracy).toBeGreaterThanOrEqual(0);
        expect(head.accuracy).toBeLessThanOrEqual(1);
        for (const group of ['many', 'medium', 'few']) expect(head.shots[group]).toEqual(expect.any(Number));
      }
    }
    const last = rows.at(-1)!;
    expect(last.participants).toHaveLength(3);
    // The server step ran on the clients' gradients: every class is held by some client.
    expect(last.serverStep).toMatchObject({ backend: 'wasm', clientsWithGradients: 3, matchSteps: 4, retrainEpochs: 4 });
    expect(last.serverStep.matchedClasses).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const row of rows.slice(1)) expect(row.serverStep.bankShift, `round ${row.round}: the feature bank moved`).toBeGreaterThan(0);
    expect(serverState(run).classifier.weight).not.toEqual(initialR);
  });

  it("refuses CLIP2FL on the student when CLIP's text embeddings are not the student's 512-d feature size; CReFF (no PCL) runs", async () => {
    const { server } = await started();
    const student = { ...SMALL_LT, clientModel: 'student-resnet8' as const, learningRate: undefined, rounds: 1 };
    await expect(server.registry.create(runConfigSchema.parse(student))).rejects.toThrow(
      "clip2fl with client model student-resnet8: its prototype contrastive loss pulls the model's 512-d features towards CLIP's 16-d text embeddings",
    );
    const creff = await server.registry.create(runConfigSchema.parse({ ...student, algorithm: 'creff' }));
    expect(serverState(creff).bank.dim).toBe(512);
    expect(serverState(creff).classifier.dim).toBe(512);
    // Round 0 measured both heads of the untrained student.
    expect(creff.metrics[0].balancedHead?.shots).toBeDefined();
    creff.stop('not needed');
  });

  it('keeps the feature bank and R across a server restart and finishes the run', async () => {
    const { server } = await started();
    const run = await server.registry.create(runConfigSchema.parse({ ...SMALL_LT, algorithm: 'creff', rounds: 3 }));
    // Pausing as round 1 is recorded keeps round 2 from starting, so the restart point is exact.
    const afterRound1 = new Promise<{ bank: Float32Array; weight: Float32Array; bias: Float32Array }>((resolveState) =>
      run.on('metrics', (m: { round: number }) => {
        if (m.round !== 1) return;
        run.pause('restart test');
        resolveState({ bank: serverState(run).bank.features.slice(), weight: serverState(run).classifier.weight.slice(), bias: serverState(run).classifier.bias.slice() });
      }),
    );
    joinClients(server.url, run.id, 3);
    const saved = await afterRound1;
    const store = RunStore.open(join(fixture!.dir, 'runs'), run.id);
    await expect.poll(async () => (await store.readCheckpoint())?.meta.round, { timeout: 30_000 }).toBe(1);
    const restarted = await fixture!.restart();

    const restored = restarted.registry.get(run.id)!;
    expect([restored.round, restored.status]).toEqual([1, 'paused']);
    expect(serverState(restored).bank.features).toEqual(saved.bank);
    expect(serverState(restored).classifier.weight).toEqual(saved.weight);
    expect(serverState(restored).classifier.bias).toEqual(saved.bias);
    // The clients reconnect on their own; the run carries on from round 2 with the restored R.
    restored.resume();
    await finished(restored);
    expect((await metricsRows(run.id)).map((r) => r.round)).toEqual([0, 1, 2, 3]);
  });
});
