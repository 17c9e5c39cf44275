import { initAdapterWeights, SeededRandom, trainAdapter, type MatMulMode } from '@clipfed/fl';
import { stepTimer } from './step-timer';

export interface TrainStepTiming {
  /** Milliseconds per step (forward, backward, Adam, loss read back), warm-up steps dropped. */
  steps: number[];
}

/**
 * Times FedCLIP training steps through the real code path (`trainAdapter`, d = 512, batch 32) on whatever
 * tfjs backend is active. Runs in Node and in a browser page alike. Each call trains a fresh adapter for
 * `warmup + steps` steps; the interval between consecutive step callbacks is one step.
 */
export async function timeTrainSteps(opts: { steps: number; warmup?: number; dim?: number; batch?: number; classes?: number; mode?: MatMulMode; seed?: number }): Promise<TrainStepTiming> {
  const dim = opts.dim ?? 512;
  const batch = opts.batch ?? 32;
  const classes = opts.classes ?? 20;
  const warmup = opts.warmup ?? 2;
  const total = warmup + opts.steps;
  const rng = new SeededRandom(opts.seed ?? 1);
  const n = batch * total;
  const features = rng.fillNormal(new Float32Array(n * dim)).map((v) => v * 0.45);
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const text = rng.fillNormal(new Float32Array(classes * dim));
  const timer = stepTimer(warmup);
  await trainAdapter({
    weights: initAdapterWeights(dim, 0),
    features,
    labels,
    textEmbeddings: text,
    dim,
    epochs: 1,
    batchSize: batch,
    seed: 3,
    matMulMode: opts.mode,
    onStep: timer.tick,
  });
  return { steps: timer.samples };
}
