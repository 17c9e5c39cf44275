import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { defaultMatMulMode, type MatMulMode } from '@clipfed/fl';
import { table, type BenchCase } from '../lib/bench-case';
import { onBenchPages } from '../lib/bench-page';
import { fmt, fmtSummary, summarize, type Summary } from '../lib/stats';
import { timeTrainSteps } from '../shared/train-steps';

const MODES: MatMulMode[] = ['explicit-transpose', 'transpose-flags'];
/** Paired runs of both formulations, alternating which goes first. */
const PAIRS = 3;

interface Row {
  where: 'Node' | 'Chromium';
  backend: string;
  chosen: MatMulMode;
  chosenSteps: Summary;
  other?: { mode: MatMulMode; steps: Summary; speedups: number[] };
}

type Timer = (mode: MatMulMode, seed: number) => Promise<number[]>;

/** Both formulations side by side (for the speed-up of the default), or the default alone. */
async function measure(where: Row['where'], backend: string, time: Timer, compare: boolean): Promise<Row> {
  const chosen = defaultMatMulMode(backend);
  if (!compare) return { where, backend, chosen, chosenSteps: summarize(await time(chosen, 1)) };
  const other = MODES.find((m) => m !== chosen)!;
  const all: Record<MatMulMode, number[]> = { 'explicit-transpose': [], 'transpose-flags': [] };
  const speedups: number[] = [];
  for (let r = 0; r < PAIRS; r++) {
    const medians: Partial<Record<MatMulMode, number>> = {};
    for (const mode of r % 2 ? [other, chosen] : [chosen, other]) {
      const steps = await time(mode, r + 1);
      all[mode].push(...steps);
      medians[mode] = summarize(steps).median;
    }
    speedups.push(medians[other]! / medians[chosen]!);
  }
  return { where, backend, chosen, chosenSteps: summarize(all[chosen]), other: { mode: other, steps: summarize(all[other]), speedups } };
}

async function tfjsNodeProblem(): Promise<string | null> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the cast keeps tsc from resolving an optional package
    await import(/* @vite-ignore */ '@tensorflow/tfjs-node' as string);
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

export const trainStepCase: BenchCase = {
  id: 'train-step',
  title: 'Adapter training step (tfjs, d = 512, batch 32)',
  expectedSeconds: 110,
  async run(ctx) {
    const rows: Row[] = [];
    const notes: string[] = [];
    const nodeBackends: { backend: string; steps: number }[] = [];
    const problem = await tfjsNodeProblem();
    if (problem === null) nodeBackends.push({ backend: 'tensorflow', steps: 10 });
    else notes.push(`Node tensorflow (tfjs-node): not measured, it is not installed (${problem}); its install downloads libtensorflow, which needs internet access.`);
    nodeBackends.push({ backend: 'wasm', steps: 10 }, { backend: 'cpu', steps: 3 });
    for (const { backend, steps } of nodeBackends) {
      if (!(await tf.setBackend(backend))) {
        notes.push(`Node ${backend}: tfjs could not start it.`);
        continue;
      }
      await tf.ready();
      rows.push(await measure('Node', backend, async (mode, seed) => (await timeTrainSteps({ steps, mode, seed })).steps, true));
      ctx.progress(rows.length * 0.12);
    }
    await tf.setBackend('cpu');

    const plan = [
      { backend: 'wasm', steps: 8, compare: true },
      { backend: 'webgl', steps: 5, compare: false },
      { backend: 'cpu', steps: 3, compare: false },
      { backend: 'webgpu', steps: 3, compare: false },
    ];
    const pageNotes = await onBenchPages(
      ctx,
      plan,
      async (page, p) => {
        const timer: Timer = async (mode) => (await page.evaluate((req) => window.bench.trainSteps(req), { backend: p.backend, steps: p.steps, mode })).steps;
        rows.push(await measure('Chromium', p.backend, timer, p.compare));
      },
      (done) => ctx.progress(0.4 + (0.6 * done) / plan.length),
    );
    notes.push(...pageNotes);

    const nodeWasm = rows.find((r) => r.where === 'Node' && r.backend === 'wasm');
    const tableRows = rows.map((r) => [
      r.where,
      r.backend,
      `\`${r.chosen}\``,
      fmtSummary(r.chosenSteps, 'ms'),
      r.other ? `${fmtSummary(r.other.steps, 'ms')} (\`${r.other.mode}\`)` : '–',
      r.other ? `${fmt(summarize(r.other.speedups).median)}× (paired: ${r.other.speedups.map(fmt).join(', ')})` : '–',
      nodeWasm ? `${fmt(r.chosenSteps.median / nodeWasm.chosenSteps.median)}×` : '–',
    ]);
    const markdown = [
      'One FedCLIP step through `trainAdapter` (gather the batch, forward, hand-written backward, coupled Adam, loss read back), per step after two warm-up steps; in Chromium on the bench page\'s main thread. Where both formulations of the backward pass were measured, they ran alternately in the same loop: explicit transposes of the small [B, d] operands, or transpose flags on the matrix products. `defaultMatMulMode` picks explicit transposes on wasm only. WebGL and WebGPU run on SwiftShader (software) here.',
      '',
      table(['runtime', 'tfjs backend', 'default formulation', 'step, default', 'step, the other formulation', 'default faster by', 'time vs Node wasm'], tableRows),
      '',
      ...notes.map((n) => `- ${n}`),
    ].join('\n');
    return { markdown, data: { rows } };
  },
};
