import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  FederatedFeatureBank,
  SeededRandom,
  initLinearClassifier,
  retrainClassifier,
  updateFeatureBank,
  type ClassGradient,
  type LinearClassifier,
} from '@clipfed/fl';
import { table, type BenchCase } from '../lib/bench-case';
import { fmt, fmtSummary, summarize } from '../lib/stats';

/** The reference sizes (algorithms.md §2): C classes, M federated features per class, d, 3 clients per class. */
const C = 10;
const M = 100;
const D = 512;
const BANK_STEPS_PER_ROUND = 100;
const RETRAIN_EPOCHS_PER_ROUND = 300;
const LAMBDA = 0.001;
/**
 * Timed blocks per implementation, run alternately so that both see the same machine load. Blocks are long
 * enough for V8 to optimise each call's fresh closures (a block of a few steps measured mostly the
 * interpreter), as a real round's 100 steps and 9,600 SGD steps do.
 */
const PASSES = 4;
const BANK_STEPS_PER_PASS: Record<string, number> = { 'wasm-simd': 25, 'tfjs wasm': 10, 'tfjs cpu': 1 };
const RETRAIN_EPOCHS_PER_PASS = 30;

type BankImplementation = 'wasm-simd' | 'tfjs wasm' | 'tfjs cpu';
type RetrainImplementation = 'wasm-simd' | 'javascript';

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

/** Wall-clock and process CPU time (user + system) of `run`, in ms: CPU time is what the step costs when the machine is shared. */
async function timed(run: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

async function useBackend(name: string): Promise<boolean> {
  if (!(await tf.setBackend(name))) return false;
  await tf.ready();
  return true;
}

/**
 * CLIP2FL's server step is independent of the number of clients: gradient matching + PCL on C·M federated
 * features for a fixed number of steps, then re-training the balanced classifier on them. Measured before
 * (tfjs feature-bank step, plain-JavaScript re-training) and after (both in the WebAssembly SIMD kernel),
 * alternately in the same run.
 */
export const clip2flStepCase: BenchCase = {
  id: 'clip2fl',
  title: 'CLIP2FL server step per round',
  expectedSeconds: 60,
  async run(ctx) {
    const { grads, text, classifier } = inputs();
    const bankImplementations: BankImplementation[] = ['wasm-simd', 'tfjs wasm', 'tfjs cpu'];
    const retrainImplementations: RetrainImplementation[] = ['wasm-simd', 'javascript'];
    const bankSamples: Record<string, number[]> = {};
    const retrainSamples: Record<string, number[]> = {};
    const bankCpu: Record<string, number[]> = {};
    const retrainCpu: Record<string, number[]> = {};
    const features = FederatedFeatureBank.create({ numClasses: C, perClass: M, dim: D, seed: 1 });

    const timeBank = async (impl: BankImplementation) => {
      if (impl !== 'wasm-simd' && !(await useBackend(impl.split(' ')[1]))) return;
      const bank = FederatedFeatureBank.create({ numClasses: C, perClass: M, dim: D, seed: 1 });
      const steps = BANK_STEPS_PER_PASS[impl];
      const t = await timed(() =>
        updateFeatureBank(bank, {
          classifier,
          clientClassGradients: grads,
          textEmbeddings: text,
          steps,
          lambda: LAMBDA,
          implementation: impl === 'wasm-simd' ? 'wasm-simd' : 'tfjs',
        }),
      );
      (bankSamples[impl] ??= []).push(t.wall / steps);
      (bankCpu[impl] ??= []).push(t.cpu / steps);
    };
    const timeRetrain = async (impl: RetrainImplementation) => {
      const t = await timed(() =>
        retrainClassifier({ features: features.features, labels: features.labels(), numClasses: C, dim: D, epochs: RETRAIN_EPOCHS_PER_PASS, seed: 3, implementation: impl }),
      );
      (retrainSamples[impl] ??= []).push(t.wall / RETRAIN_EPOCHS_PER_PASS);
      (retrainCpu[impl] ??= []).push(t.cpu / RETRAIN_EPOCHS_PER_PASS);
    };

    for (let pass = 0; pass <= PASSES; pass++) {
      // Pass 0 warms up (wasm compilation, tfjs kernels) and is not kept.
      const order = pass % 2 === 0 ? bankImplementations : [...bankImplementations].reverse();
      for (const impl of order) await timeBank(impl);
      for (const impl of pass % 2 === 0 ? retrainImplementations : [...retrainImplementations].reverse()) await timeRetrain(impl);
      if (pass === 0) for (const samples of [bankSamples, retrainSamples, bankCpu, retrainCpu]) for (const k of Object.keys(samples)) samples[k] = [];
      ctx.progress((0.5 * pass) / PASSES);
    }

    // Whole rounds, before and after, alternately; the final classifiers are compared.
    const wholeRound = async (after: boolean): Promise<{ wall: number; cpu: number; classifier: LinearClassifier }> => {
      await useBackend('wasm');
      const bank = FederatedFeatureBank.create({ numClasses: C, perClass: M, dim: D, seed: 2 });
      let R: LinearClassifier | null = null;
      const t = await timed(async () => {
        await updateFeatureBank(bank, { classifier, clientClassGradients: grads, textEmbeddings: text, steps: BANK_STEPS_PER_ROUND, lambda: LAMBDA, implementation: after ? 'wasm-simd' : 'tfjs' });
        R = await retrainClassifier({
          features: bank.features,
          labels: bank.labels(),
          numClasses: C,
          dim: D,
          epochs: RETRAIN_EPOCHS_PER_ROUND,
          seed: 3,
          implementation: after ? 'wasm-simd' : 'javascript',
        });
      });
      return { ...t, classifier: R! };
    };
    const afterRounds: { wall: number; cpu: number }[] = [];
    const beforeRounds: { wall: number; cpu: number }[] = [];
    let before: LinearClassifier | null = null;
    let after: LinearClassifier | null = null;
    for (let i = 0; i < 2; i++) {
      const a = await wholeRound(true);
      afterRounds.push({ wall: a.wall, cpu: a.cpu });
      after = a.classifier;
      ctx.progress(0.5 + 0.25 * i + 0.05);
      const b = await wholeRound(false);
      beforeRounds.push({ wall: b.wall, cpu: b.cpu });
      before = b.classifier;
      ctx.progress(0.5 + 0.25 * (i + 1));
    }
    await tf.setBackend('cpu');
    const maxAbs = (a: Float32Array) => Math.max(...Array.from(a, Math.abs));
    const drift = before && after ? Math.max(...Array.from(after.weight, (v, i) => Math.abs(v - before.weight[i]))) / maxAbs(before.weight) : Number.NaN;

    const summaries = (samples: Record<string, number[]>) => Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
    const [bank, retrain, bankCpuS, retrainCpuS] = [bankSamples, retrainSamples, bankCpu, retrainCpu].map(summaries);
    const roundOf = (b: typeof bank, r: typeof retrain, bankImpl: string, retrainImpl: string) =>
      BANK_STEPS_PER_ROUND * b[bankImpl].median + RETRAIN_EPOCHS_PER_ROUND * r[retrainImpl].median;
    const afterWall = roundOf(bank, retrain, 'wasm-simd', 'wasm-simd');
    const afterCpu = roundOf(bankCpuS, retrainCpuS, 'wasm-simd', 'wasm-simd');
    const row = (label: string, bankImpl: string, retrainImpl: string) => {
      const wall = roundOf(bank, retrain, bankImpl, retrainImpl);
      const cpu = roundOf(bankCpuS, retrainCpuS, bankImpl, retrainImpl);
      return [
        label,
        `${fmtSummary(bank[bankImpl], 'ms')}; CPU ${fmt(bankCpuS[bankImpl].median)} ms`,
        `${fmtSummary(retrain[retrainImpl], 'ms')}; CPU ${fmt(retrainCpuS[retrainImpl].median)} ms`,
        `${fmt(wall / 1000)} s; CPU ${fmt(cpu / 1000)} s`,
        `${fmt(wall / afterWall)}×; CPU ${fmt(cpu / afterCpu)}×`,
      ];
    };
    const rows: string[][] = [row('after: WebAssembly SIMD kernel (any backend)', 'wasm-simd', 'wasm-simd')];
    for (const impl of ['tfjs wasm', 'tfjs cpu'] as const) {
      if (bank[impl]) rows.push(row(`before: tfjs ${impl.split(' ')[1]} bank step, JavaScript re-training`, impl, 'javascript'));
    }
    const medianOf = (v: number[]) => summarize(v).median;
    const describeRounds = (v: { wall: number; cpu: number }[]) => v.map((r) => `${fmt(r.wall / 1000)} s (CPU ${fmt(r.cpu / 1000)} s)`).join(', ');
    const markdown = [
      `C = ${C} classes, M = ${M} federated features per class, d = ${D}, 3 clients' gradients per class, PCL on (λ = ${LAMBDA}). A round is ${BANK_STEPS_PER_ROUND} feature-bank steps (gradient matching + PCL) and ${RETRAIN_EPOCHS_PER_ROUND} re-training epochs of the balanced classifier (${C * M} features, batch 32). "After" runs the products of both in a WebAssembly SIMD kernel (\`packages/fl/src/wasm/rowdot.wat\`) with the element-wise work in JavaScript; "before" is the tfjs feature-bank step and the plain-JavaScript re-training, which remain as the fallbacks where WebAssembly SIMD is missing. All implementations ran alternately in ${PASSES} passes after a warm-up pass, so they saw the same machine load; "round" is computed from the two medians, "vs after" is its ratio to the after round. Each cell gives the wall clock, then the process's CPU time.`,
      '',
      table(['implementation', 'feature-bank step', 're-training epoch', 'round (100 steps + 300 epochs)', 'vs after'], rows),
      '',
      `Whole rounds measured alternately (tfjs on wasm for "before"), wall clock with the process's CPU time: after ${describeRounds(afterRounds)}; before ${describeRounds(beforeRounds)}: ${fmt(medianOf(beforeRounds.map((r) => r.wall)) / medianOf(afterRounds.map((r) => r.wall)))}× faster by wall clock, ${fmt(medianOf(beforeRounds.map((r) => r.cpu)) / medianOf(afterRounds.map((r) => r.cpu)))}× by CPU time. CPU time (user + system of this one-threaded process) is the cost on an idle core; wall clock grows with the machine's load. The re-trained classifiers of the last before and after rounds differ by at most ${drift.toPrecision(2)} of the largest weight (float32 sums in the kernel against float64 sums in JavaScript, over 100 bank steps and 9,600 SGD steps). The step does not depend on the number of clients; \`epochs\` and \`steps\` are run options.`,
      '- tfjs-node: not measured (not installable here).',
    ].join('\n');
    return {
      markdown,
      data: { bankStepMs: bank, retrainEpochMs: retrain, bankStepCpuMs: bankCpuS, retrainEpochCpuMs: retrainCpuS, afterRounds, beforeRounds, classifierDrift: drift },
    };
  },
};
