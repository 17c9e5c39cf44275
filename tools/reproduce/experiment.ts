import { io } from 'socket.io-client';
import { FederatedClient, type ClientSocket } from '@clipfed/client';
import { createNodePlatform } from '@clipfed/client/node';
import type { WeightSet } from '@clipfed/fl';
import { runConfigSchema, socketParser, type RunConfigInput } from '@clipfed/protocol';
import type { SuiteContext } from './suite-context';

/** One cell of a protocol's grid: a run configuration and how the report groups it. */
export interface ExperimentSpec {
  id: string;
  protocol: 'A' | 'B';
  /**
   * Protocol A: the five styles as clients, or the derived domains; protocol B: the FedCLIP adapter or CLIP2FL's
   * student as client model (absent in results written before the grids: styles, adapter).
   */
  grid?: 'styles' | 'derived' | 'adapter' | 'student';
  method: string;
  /** Protocol A: the held-out style; protocol B: the imbalance factor. */
  setting: string;
  seed: number;
  config: RunConfigInput;
  /** Simulated clients to connect (one per shard unless fewer are wanted). */
  clients: number;
}

/** The parts of a metrics row the report reads. */
export interface RoundRow {
  round: number;
  accuracy: number;
  heldOutAccuracy: number | null;
  perSet: Record<string, number>;
  zeroShotAccuracy: number;
  zeroShotHeldOutAccuracy: number | null;
  shots?: ShotRow;
  zeroShotShots?: ShotRow;
  balancedHead?: { accuracy: number; heldOutAccuracy: number | null; perSet: Record<string, number>; shots?: ShotRow };
  /** Mean over the clients' own test splits with the global model (FedCLIP's personalisation). */
  personalAccuracy?: number;
  zeroShotPersonalAccuracy?: number;
  roundMs?: number;
  meanTrainMs?: number;
  evalMs?: number;
  serverStep?: { backend: string; matchMs: number; retrainMs: number; matchedClasses: number[] };
}

export interface ShotRow {
  many: number | null;
  medium: number | null;
  few: number | null;
}

export interface ExperimentResult {
  spec: ExperimentSpec;
  runId: string;
  wallMs: number;
  /** CPU time of this process during the experiment (all threads: tfjs, onnxruntime, sockets); on a shared machine the honest cost. */
  cpuMs: number;
  rows: RoundRow[];
  /**
   * L2 norm of each tensor of the global model after the last round, and of the same model's initialisation
   * (the run's seed): how far training moved it, e.g. whether weight decay held the adapter near its start.
   */
  globalNorms?: { initial: Record<string, number>; final: Record<string, number> };
}

function tensorNorms(weights: WeightSet): Record<string, number> {
  return Object.fromEntries(weights.map((t) => [t.name, Math.sqrt(t.data.reduce((a, v) => a + v * v, 0))]));
}

const KEEP: (keyof RoundRow)[] = [
  'round',
  'accuracy',
  'heldOutAccuracy',
  'perSet',
  'zeroShotAccuracy',
  'zeroShotHeldOutAccuracy',
  'shots',
  'zeroShotShots',
  'balancedHead',
  'personalAccuracy',
  'zeroShotPersonalAccuracy',
  'roundMs',
  'meanTrainMs',
  'evalMs',
  'serverStep',
];

/**
 * Runs one experiment through the real system: a run on the suite's server, and N FederatedClients
 * (the browser tab's code) connected over real websockets, until the run finishes.
 */
export async function runExperiment(ctx: SuiteContext, spec: ExperimentSpec): Promise<ExperimentResult> {
  const started = Date.now();
  const cpu = process.cpuUsage();
  const run = await ctx.server.registry.create(runConfigSchema.parse(spec.config));
  const initialNorms = tensorNorms(run.global);
  const sockets: ClientSocket[] = [];
  const errors: string[] = [];
  const done = new Promise<void>((resolve) => (run.status === 'finished' ? resolve() : run.once('finished', () => resolve())));
  if (run.status !== 'finished') {
    for (let i = 0; i < spec.clients; i++) {
      let lastError: string | undefined;
      const socket: ClientSocket = io(ctx.server.url, { transports: ['websocket'], parser: socketParser });
      sockets.push(socket);
      new FederatedClient(
        socket,
        createNodePlatform({ serverUrl: ctx.server.url, modelDir: ctx.modelDir, tfBackend: 'wasm', sharedModel: ctx.model, imageFeatureStore: ctx.featureStore }),
        {
          runId: run.id,
          onStatus: (s) => {
            if (s.stage === 'error') errors.push(s.message);
            // A refused update does not stop the client, but the run cannot go on without them: say why, once.
            else if (s.lastError && s.lastError !== lastError) console.warn(`${spec.id}: client ${i}: ${(lastError = s.lastError)}`);
          },
        },
      );
    }
  }
  const failed = new Promise<never>((_, reject) => {
    const timer = setInterval(() => {
      if (errors.length) {
        clearInterval(timer);
        reject(new Error(`${spec.id}: a client failed: ${errors[0]}`));
      }
    }, 500);
    void done.then(() => clearInterval(timer));
  });
  await Promise.race([done, failed]);
  for (const s of sockets) s.disconnect();
  const rows = run.metrics.map((m) => Object.fromEntries(KEEP.filter((k) => k in m).map((k) => [k, m[k]])) as unknown as RoundRow);
  const used = process.cpuUsage(cpu);
  const globalNorms = { initial: initialNorms, final: tensorNorms(run.global) };
  return { spec, runId: run.id, wallMs: Date.now() - started, cpuMs: (used.user + used.system) / 1000, rows, globalNorms };
}
