import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTensors, PROTOCOL_VERSION, runConfigSchema, type RunConfigInput } from '@clipfed/protocol';
import type { ClientChannel } from '../runs/client-channel';
import type { HeldOutEvaluator } from '../runs/evaluator';
import { FederatedRun } from '../runs/federated-run';
import type { RunRegistry } from '../runs/run-registry';
import { RunStore } from '../runs/run-store';
import type { RunTask } from '../runs/run-task';

/**
 * A real FederatedRun for dashboard tests, on a four-dimensional adapter with an evaluator that needs no CLIP
 * model: accuracy rises by one point per evaluation, so every round's row differs.
 */
export async function makeTestRun(config: RunConfigInput = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'clipfed-dashboard-'));
  const shard = (label: string) => ({ label, classNames: ['cat', 'dog'], width: 1, height: 1, labels: new Int32Array(2), images: new Uint8Array(6) });
  const task: RunTask = { dataset: 'emoji-domains', classNames: ['cat', 'dog'], prompts: ['a cat', 'a dog'], shards: [shard('noto'), shard('twemoji')], evaluationSets: [] };
  let evaluations = 0;
  const evaluate = (w: unknown) => {
    const accuracy = w === null ? 0.5 : 0.5 + 0.01 * evaluations++;
    return { accuracy, heldOutAccuracy: accuracy - 0.1, perSet: { noto: accuracy, 'openmoji (held out)': accuracy - 0.1 } };
  };
  const evaluator = { evaluateZeroShot: () => evaluate(null), evaluateModel: async (m: { weights: unknown }) => evaluate(m.weights) } as unknown as HeldOutEvaluator;
  const runConfig = runConfigSchema.parse({ rounds: 2, minClients: 2, ...config });
  const id = `test-${Math.random().toString(36).slice(2, 8)}`;
  const run = new FederatedRun({
    id,
    config: runConfig,
    task,
    embedDim: 4,
    evaluator,
    store: await RunStore.create(dir, id, runConfig),
    log: { info: () => undefined, warn: () => undefined },
    modelUrl: '/model/',
    maxUpdateBytes: 1 << 20,
  });
  await run.start();
  const registry = { list: () => [run], damaged: () => [], get: (runId: string) => (runId === run.id ? run : undefined) } as unknown as RunRegistry;

  /** Joins a client that reports ready at once; returns its id. */
  const joinReadyClient = (): string => {
    const channel: ClientChannel = { send: () => undefined };
    const welcome = run.join(channel, {
      protocolVersion: PROTOCOL_VERSION,
      clientKind: 'node',
      runId: run.id,
      capabilities: { onnxBackend: 'node', tfBackend: 'cpu', backendReason: 'test' },
    });
    if (!welcome.ok) throw new Error(welcome.message);
    run.markReady(welcome.clientId, { runId: run.id, numSamples: 10, imagesEncoded: 10, encodeMs: 1 });
    return welcome.clientId;
  };

  /** Uploads the current global adapter unchanged for the open round. */
  const upload = (clientId: string, round: number) =>
    run.receiveUpdate(clientId, {
      runId: run.id,
      round,
      numSamples: 10,
      metrics: { loss: 1, trainAccuracy: 0.5, trainMs: 5 },
      weights: encodeTensors(run.global),
    });

  return { run, registry, joinReadyClient, upload, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
