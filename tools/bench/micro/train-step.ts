/**
 * Times one FedCLIP training step (d = 512, batch 32: forward, backward, Adam) on the tfjs cpu
 * and wasm backends, for three formulations of the backward pass:
 *   autodiff            tf.grads through applyAdapter + symmetricClipLoss
 *   manual/flags        hand-written backward, matMul with transpose flags
 *   manual/explicit     hand-written backward, small operands transposed explicitly (the default)
 * Run: npx tsx tools/bench/micro/train-step.ts [steps]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  CoupledAdam,
  type MatMulMode,
  SeededRandom,
  adapterLossAndGradients,
  adapterTensorsFromWeights,
  applyAdapter,
  disposeAdapterTensors,
  initAdapterWeights,
  l2NormalizeRows,
  symmetricClipLoss,
} from '@clipfed/fl';
import { summarize, timeRuns } from '../lib/stats';

const DIM = 512;
const BATCH = 32;
const STEPS = Number(process.argv[2] ?? 30);

type Formulation = 'autodiff' | MatMulMode;

async function timeSteps(formulation: Formulation): Promise<{ median: number; min: number }> {
  const rng = new SeededRandom(1);
  const x = tf.tensor2d(rng.fillNormal(new Float32Array(BATCH * DIM)).map((v) => v * 0.45), [BATCH, DIM]);
  const text = tf.tidy(() => l2NormalizeRows(tf.tensor2d(rng.fillNormal(new Float32Array(BATCH * DIM)), [BATCH, DIM])));
  let params = adapterTensorsFromWeights(initAdapterWeights(DIM, 0), DIM);
  const adam = new CoupledAdam();
  const step = (): void => {
    const { loss, grads } = tf.tidy(() => {
      if (formulation === 'autodiff') {
        const p = params;
        const { value, grads: g } = tf.valueAndGrads((w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) =>
          symmetricClipLoss(applyAdapter({ w1: w1 as tf.Tensor2D, b1: b1 as tf.Tensor1D, w2: w2 as tf.Tensor2D, b2: b2 as tf.Tensor1D }, x), text),
        )([p.w1, p.b1, p.w2, p.b2]);
        return { loss: value, grads: { w1: g[0] as tf.Tensor2D, b1: g[1] as tf.Tensor1D, w2: g[2] as tf.Tensor2D, b2: g[3] as tf.Tensor1D } };
      }
      return adapterLossAndGradients(params, { x, text }, 100, formulation);
    });
    const next = adam.step([params.w1, params.b1, params.w2, params.b2], [grads.w1, grads.b1, grads.w2, grads.b2]);
    disposeAdapterTensors(grads);
    disposeAdapterTensors(params);
    params = { w1: next[0] as tf.Tensor2D, b1: next[1] as tf.Tensor1D, w2: next[2] as tf.Tensor2D, b2: next[3] as tf.Tensor1D };
    loss.dataSync();
    loss.dispose();
  };
  // Three warm-up steps: kernel compilation, first allocations.
  const times = await timeRuns(step, STEPS, 3);
  disposeAdapterTensors(params);
  adam.dispose();
  tf.dispose([x, text]);
  return summarize(times);
}

/** The Adam update alone (4 tensors, 525,312 parameters). */
function timeAdam(): { median: number; min: number } {
  const params = adapterTensorsFromWeights(initAdapterWeights(DIM, 0), DIM);
  let p: tf.Tensor[] = [params.w1, params.b1, params.w2, params.b2];
  const g = p.map((t) => tf.mul(t, 0.1));
  const adam = new CoupledAdam();
  const times: number[] = [];
  for (let i = 0; i < STEPS + 3; i++) {
    const t0 = performance.now();
    const next = adam.step(p, g);
    next[0].dataSync();
    if (i >= 3) times.push(performance.now() - t0);
    tf.dispose(p);
    p = next;
  }
  tf.dispose([...p, ...g]);
  adam.dispose();
  return summarize(times);
}

for (const backend of ['wasm', 'cpu']) {
  await tf.setBackend(backend);
  await tf.ready();
  for (const f of ['manual/explicit', 'manual/flags', 'autodiff'] as const) {
    const formulation: Formulation = f === 'autodiff' ? 'autodiff' : f === 'manual/flags' ? 'transpose-flags' : 'explicit-transpose';
    const { median, min } = await timeSteps(formulation);
    console.log(`${backend.padEnd(5)} ${f.padEnd(16)} median ${median.toFixed(1)} ms/step, min ${min.toFixed(1)} (d=${DIM}, batch ${BATCH}, ${STEPS} steps)`);
  }
  const adamTime = timeAdam();
  console.log(`${backend.padEnd(5)} ${'Adam update only'.padEnd(16)} median ${adamTime.median.toFixed(1)} ms, min ${adamTime.min.toFixed(1)}`);
}
