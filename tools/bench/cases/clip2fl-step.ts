import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  FederatedFeatureBank,
  SeededRandom,
  initLinearClassifier,
  retrainClassifier,
  updateFeatureBank,
  type ClassGradient,
} from '@clipfed/fl';
import { table, type BenchCase } from '../lib/bench-case';
import { fmt, fmtSummary, summarize } from '../lib/stats';

/** The reference sizes (algorithms.md §2): C classes, M federated features per class, d, 3 clients per class. */
const C = 10;
const M = 100;
const D = 512;
const BANK_STEPS_PER_ROUND = 100;
const RETRAIN_EPOCHS_PER_ROUND = 300;
const TIMED_STEPS: Record<string, number> = { tensorflow: 20, wasm: 20, cpu: 5 };

function stepTimer(warmup: number): { tick: () => void; samples: number[] } {
  let last = performance.now();
  let seen = 0;
  const samples: number[] = [];
  return {
    tick: () => {
      const now = performance.now();
      if (seen++ >= warmup) samples.push(now - last);
      last = now;
    },
    samples,
  };
}

function inputs() {
  const rng = new SeededRandom(1);
  const grads = new Map<number, ClassGradient[]>();
  for (let c = 0; c < C; c++) {
    grads.set(
      c,
      [0, 1, 2].map(() => ({ gW: rng.fillNormal(new Float32Array(C * D)).map((v) => v * 0.01), gb: rng.fillNormal(new Float32Array(C)).map((v) => v * 0.1) })),
    );
  }
  return { grads, text: rng.fillNormal(new Float32Array(C * D)), classifier: initLinearClassifier(C, D, 2) };
}

/**
 * CLIP2FL's server step is independent of the number of clients: gradient matching + PCL on C·M federated
 * features for a fixed number of steps, then re-training the balanced classifier on them.
 */
export const clip2flStepCase: BenchCase = {
  id: 'clip2fl',
  title: 'CLIP2FL server step per round',
  expectedSeconds: 40,
  async run(ctx) {
    const { grads, text, classifier } = inputs();
    const backends = ['wasm', 'cpu'];
    const rows: string[][] = [];
    const data: Record<string, unknown> = {};
    // Re-training is plain JavaScript (a step is 2·B·C·d multiply-adds): the same on every backend.
    const bank0 = FederatedFeatureBank.create({ numClasses: C, perClass: M, dim: D, seed: 1 });
    const e = stepTimer(2);
    await retrainClassifier({ features: bank0.features, labels: bank0.labels(), numClasses: C, dim: D, epochs: 17, seed: 3, onEpoch: e.tick });
    const epoch = summarize(e.samples);
    ctx.progress(0.1);
    let fullRoundWasm: number | null = null;
    for (const [i, backend] of backends.entries()) {
      if (!(await tf.setBackend(backend))) continue;
      await tf.ready();
      const bank = FederatedFeatureBank.create({ numClasses: C, perClass: M, dim: D, seed: 1 });
      const t = stepTimer(3);
      await updateFeatureBank(bank, { classifier, clientClassGradients: grads, textEmbeddings: text, steps: TIMED_STEPS[backend] + 3, lambda: 0.001, onStep: t.tick });
      const step = summarize(t.samples);
      const round = BANK_STEPS_PER_ROUND * step.median + RETRAIN_EPOCHS_PER_ROUND * epoch.median;
      rows.push([backend, fmtSummary(step, 'ms'), fmtSummary(epoch, 'ms'), `${fmt(round / 1000)} s`]);
      data[backend] = { bankStepMs: step, retrainEpochMs: epoch, roundEstimateMs: round };
      ctx.progress(0.1 + 0.3 * (i + 1));
      if (backend === 'wasm') {
        // One whole round, to check the estimate from per-step medians.
        const full = FederatedFeatureBank.create({ numClasses: C, perClass: M, dim: D, seed: 2 });
        const t0 = performance.now();
        await updateFeatureBank(full, { classifier, clientClassGradients: grads, textEmbeddings: text, steps: BANK_STEPS_PER_ROUND, lambda: 0.001 });
        await retrainClassifier({ features: full.features, labels: full.labels(), numClasses: C, dim: D, epochs: RETRAIN_EPOCHS_PER_ROUND, seed: 3 });
        fullRoundWasm = performance.now() - t0;
        data.fullRoundWasmMs = fullRoundWasm;
      }
    }
    await tf.setBackend('cpu');
    const markdown = [
      `C = ${C} classes, M = ${M} federated features per class, d = ${D}, 3 clients' gradients per class, PCL on (λ = 0.001). A round is ${BANK_STEPS_PER_ROUND} feature-bank steps (gradient matching + PCL, hand-written gradient, tfjs) and ${RETRAIN_EPOCHS_PER_ROUND} re-training epochs of the balanced classifier (${C * M} features, batch 32, plain JavaScript, so the same on every backend). "Round" is computed from the two medians.`,
      '',
      table(['tfjs backend', 'feature-bank step', 're-training epoch', 'round (100 steps + 300 epochs)'], rows),
      '',
      fullRoundWasm !== null ? `One whole round measured on wasm: ${fmt(fullRoundWasm / 1000)} s (1 run). The step does not depend on the number of clients; the re-training epochs are the larger part (\`epochs\` is a run option).` : '',
      '- tfjs-node: not measured (not installable here).',
    ].join('\n');
    return { markdown, data };
  },
};
