import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRgbImages } from '@clipfed/clip';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { FASHION_MNIST_PIXELS, SeededRandom, clientModelFor, conv2dIm2col, preprocessPixels, studentConfigFor, studentOutputs, tfConvolution } from '@clipfed/fl';
import { table, type BenchCase } from '../lib/bench-case';
import { onBenchPages } from '../lib/bench-page';
import { fmt, fmtSummary, summarize, type Summary } from '../lib/stats';
import {
  STUDENT_BATCH,
  STUDENT_CLASSES,
  STUDENT_FEATURE_DIM,
  studentContext,
  studentShardBytes,
  timeStudentRound,
  type StudentRoundTiming,
} from '../shared/student-round';

const C = STUDENT_CLASSES;
const D = STUDENT_FEATURE_DIM;
const BATCH = STUDENT_BATCH;
/** Images in a client's shard per timed round, per backend: cpu takes several seconds a step, so it gets fewer. */
const SHARD: Record<string, number> = { wasm: 256, cpu: 96 };
/** Timed client rounds per backend (wasm and cpu alternate, so both see the same machine load), after one warm-up round each. */
const ROUNDS = 3;
/** Evaluation images per timed forward pass, per backend. */
const EVAL_IMAGES: Record<string, number> = { wasm: 512, cpu: 128 };
/** CLIP images encoded per timed pass (the teacher's one-off cost). */
const ENCODE_IMAGES = 256;
/**
 * The same client round in a Chromium page, per tfjs backend: shard size and timed rounds (after one warm-up round).
 * WebGL and WebGPU run on SwiftShader (software) on a machine without a GPU, tens of times slower than wasm: one
 * small round each shows what a tab without a GPU pays if it picks them.
 */
const TAB_PLAN = [
  { backend: 'wasm', images: 256, rounds: 3 },
  { backend: 'webgpu', images: 64, rounds: 1 },
  { backend: 'webgl', images: 64, rounds: 1 },
];

/** Wall clock and process CPU time (user + system) of `run`, in ms. */
async function timed<T>(run: () => Promise<T> | T): Promise<{ wall: number; cpu: number; value: T }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await run();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000, value };
}

interface BackendSamples {
  /** One training step (batch 32, CE + KD, SGD, BN statistics), from consecutive step callbacks. */
  step: number[];
  /** A whole client round through trainLocalRound (probe of R + teacher logits + 1 epoch), per image. */
  roundPerImage: number[];
  roundWall: number[];
  roundCpuPerImage: number[];
  /** The probe's forward pass over the shard (studentOutputs, eval mode), per image. */
  probePerImage: number[];
  /** Teacher logits from the shard's CLIP features (zeroShotLogits), per image. */
  teacherLogitsPerImage: number[];
  /** Evaluation forward pass per image with tf.conv2d and with the im2col convolution. */
  evalConv2d: number[];
  evalIm2col: number[];
}

/**
 * CLIP2FL's student on a client, in Node, on the tfjs wasm and cpu backends: one client round of the real code
 * path (`trainLocalRound`: R's class-gradient probe on the student's features, teacher logits from the CLIP
 * features, one local epoch of SGD with CE + KD), its parts, the eval-mode forward pass, and the teacher's one-off
 * cost (one CLIP image encoding per image, onnxruntime-node).
 */
export const studentCase: BenchCase = {
  id: 'student',
  title: "CLIP2FL's student on a client (ResNet-8, 28×28 grey, batch 32)",
  expectedSeconds: 170,
  async run(ctx) {
    const backends = ['wasm', 'cpu'];
    const samples: Record<string, BackendSamples> = {};
    const model = clientModelFor('student-resnet8');
    const rng = new SeededRandom(5);
    const context = studentContext;

    const clientRound = async (backend: string, keep: boolean, seed: number) => {
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not start ${backend}`);
      await tf.ready();
      const n = SHARD[backend];
      const round = await timed(() => timeStudentRound(n, seed));
      // The probe and the evaluation pass on a fresh student of the same shape: their costs do not depend on the values.
      const weights = model.init(context, seed);
      const pixels = preprocessPixels(studentShardBytes(n, seed), 28, 28, FASHION_MNIST_PIXELS);
      const text = rng.fillNormal(new Float32Array(C * D));
      const probe = await timed(() => model.outputs(weights, { pixels, textEmbeddings: text }, context));
      const evalN = EVAL_IMAGES[backend];
      const evalPixels = preprocessPixels(studentShardBytes(evalN, seed + 1), 28, 28, FASHION_MNIST_PIXELS);
      const config = studentConfigFor(context);
      const viaConv2d = await timed(() => studentOutputs(weights, config, evalPixels, tfConvolution));
      const viaIm2col = await timed(() => studentOutputs(weights, config, evalPixels, (x, k, size, stride) => conv2dIm2col(x, k, size, stride)));
      if (!keep) return;
      const s = (samples[backend] ??= { step: [], roundPerImage: [], roundWall: [], roundCpuPerImage: [], probePerImage: [], teacherLogitsPerImage: [], evalConv2d: [], evalIm2col: [] });
      s.step.push(...round.value.steps);
      s.roundPerImage.push(round.value.roundMs / n);
      s.roundWall.push(round.value.roundMs);
      s.roundCpuPerImage.push(round.cpu / n);
      s.probePerImage.push(probe.wall / n);
      s.teacherLogitsPerImage.push(round.value.teacherLogitsMs / n);
      s.evalConv2d.push(viaConv2d.wall / evalN);
      s.evalIm2col.push(viaIm2col.wall / evalN);
    };

    const total = (ROUNDS + 1) * backends.length;
    let done = 0;
    for (let r = 0; r <= ROUNDS; r++) {
      for (const backend of r % 2 === 0 ? backends : [...backends].reverse()) {
        await clientRound(backend, r > 0, 11 + r);
        ctx.progress((0.6 * ++done) / total);
      }
    }
    await tf.setBackend('cpu');

    // The same round in a Chromium page (main thread; a tab runs it in its Web Worker, the same code and backends).
    const tab: { backend: string; rounds: StudentRoundTiming[]; adapter?: string }[] = [];
    const notes = await onBenchPages(
      ctx,
      TAB_PLAN,
      async (page, p) => {
        const rounds: StudentRoundTiming[] = [];
        for (let r = 0; r <= p.rounds; r++) {
          const timing = await page.evaluate((req) => window.bench.studentRound(req), { backend: p.backend, images: p.images, seed: 21 + r });
          if (r > 0) rounds.push(timing);
        }
        tab.push({ backend: p.backend, rounds, adapter: p.backend === 'webgpu' ? await page.evaluate(() => window.bench.adapterName()) : undefined });
      },
      (done) => ctx.progress(0.6 + (0.25 * done) / TAB_PLAN.length),
    );

    // The teacher: one CLIP image encoding per training image, once per client (onnxruntime-node, built-in model).
    const modelDir = join(ctx.root, 'models/builtin');
    let encodePerImage: Summary | null = null;
    if (existsSync(join(modelDir, 'manifest.json'))) {
      const clip = await loadClipModelFromDir(modelDir);
      try {
        const rgb = studentShardBytes(ENCODE_IMAGES, 3);
        await encodeRgbImages(clip, rgb.subarray(0, 32 * 28 * 28 * 3), 28, 28, { batchSize: 32 });
        const times: number[] = [];
        for (let i = 0; i < 3; i++) times.push((await timed(() => encodeRgbImages(clip, rgb, 28, 28, { batchSize: 32 }))).wall / ENCODE_IMAGES);
        encodePerImage = summarize(times);
      } finally {
        await clip.dispose();
      }
    } else notes.push('Teacher encoding: not measured, models/builtin is not built (npm run build:model).');
    ctx.progress(1);

    const S = Object.fromEntries(
      Object.entries(samples).map(([b, s]) => [b, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, summarize(v)])) as Record<keyof BackendSamples, Summary>]),
    );
    const wasm = S.wasm;
    const vsWasm = (b: string, key: keyof BackendSamples) => (wasm ? `${fmt(S[b][key].median / wasm[key].median)}×` : '–');
    const rows = Object.keys(S).map((b) => {
      const s = S[b];
      return [
        `Node ${b}`,
        `${fmtSummary(s.step, 'ms')} (${vsWasm(b, 'step')})`,
        `${fmt(s.step.median / BATCH)} ms`,
        `${SHARD[b]} images: ${fmtSummary(summarize(samples[b].roundWall.map((w) => w / 1000)), 's')}`,
        `${fmtSummary(s.roundPerImage, 'ms')}; CPU ${fmt(s.roundCpuPerImage.median)} ms (${vsWasm(b, 'roundPerImage')})`,
        `${fmt(s.probePerImage.median)} ms`,
        `${fmt(s.teacherLogitsPerImage.median)} ms`,
        `${fmtSummary(s.evalConv2d, 'ms')} / ${fmtSummary(s.evalIm2col, 'ms')}`,
      ];
    });
    const teacherLine = encodePerImage
      ? (() => {
          const perEpoch = wasm ? wasm.roundPerImage.median : NaN;
          return `The teacher's one-off cost: one CLIP image encoding per training image, when the client prepares (the encoding an adapter trains on, so a tab pays it anyway), ${fmtSummary(encodePerImage, 'ms')} per 28×28 image with the built-in model on onnxruntime-node (2 threads; ${ENCODE_IMAGES} images in batches of 32). That is ${fmt(encodePerImage.median / perEpoch)}× one wasm epoch of the student per image (${fmt(perEpoch)} ms), paid once, while the student pays its epoch every round. Per round the teacher adds only the logits from the cached features (the "teacher logits" column, ${wasm ? fmt((wasm.teacherLogitsPerImage.median / wasm.roundPerImage.median) * 100) : '–'} % of a wasm round). With the real CLIP the encoding costs what "Image encoding throughput" gives for the ViT-B/32 tower, once per image.`;
        })()
      : '';
    const nodeWasmRound = wasm?.roundPerImage.median;
    const tabRows = tab.map((t) => {
      const steps = summarize(t.rounds.flatMap((r) => r.steps));
      const perImage = summarize(t.rounds.map((r) => r.roundMs / r.images));
      const name = t.backend === 'wasm' ? 'wasm' : `${t.backend} (SwiftShader${t.adapter ? `: ${t.adapter}` : ''})`;
      return [
        `Chromium ${name}`,
        fmtSummary(steps, 'ms'),
        `${fmt(steps.median / BATCH)} ms`,
        `${t.rounds[0].images} images: ${fmtSummary(summarize(t.rounds.map((r) => r.roundMs / 1000)), 's')}`,
        `${fmtSummary(perImage, 'ms')}${nodeWasmRound ? ` (${fmt(perImage.median / nodeWasmRound)}× Node wasm)` : ''}`,
        `${fmt(summarize(t.rounds.map((r) => r.teacherLogitsMs / r.images)).median)} ms`,
      ];
    });
    const markdown = [
      `The real client code path in Node: \`trainLocalRound\` on a shard of 28×28 grey images (Fashion-MNIST's format, \`FASHION_MNIST_PIXELS\`), C = ${C}, the ResNet-8 student at width 1 (115,514 parameters + BN statistics), one local epoch of plain SGD (lr 0.1) at batch ${BATCH} with CE + KD (T = 3), after R's class-gradient probe (10 classes, 32 images per probe, 10 repeats) on the student's 512-d features. The wasm and cpu backends ran alternately, ${ROUNDS} timed rounds each after a warm-up round; a step is the interval between consecutive step callbacks (the first dropped). "Round per image" is the whole \`trainLocalRound\` (probe + teacher logits + epoch) divided by the shard's images, with the process's CPU time beside it; the probe and the teacher logits are also timed alone. The last column is the eval-mode forward pass per image (the probe, \`trainAccuracy\` and the server's evaluator), tf.conv2d / the im2col convolution: \`forwardConvolution\` takes tf.conv2d on wasm and im2col on cpu. Ratios in brackets are to Node wasm in this run.`,
      '',
      table(['runtime', 'training step (batch 32)', 'per image', 'client round, 1 epoch', 'round per image', 'probe per image', 'teacher logits per image', 'eval forward per image: tf.conv2d / im2col'], rows),
      '',
      `**In a tab.** The same \`trainLocalRound\` in a Chromium page on the bench page's main thread (a volunteer's tab runs it in its Web Worker: the same code and tfjs backends), after one warm-up round per backend, in the same run as the Node rows above. wasm: ${TAB_PLAN[0].rounds} timed rounds of ${TAB_PLAN[0].images} images. WebGPU and WebGL: this machine has no GPU, so Chromium runs them on SwiftShader, its software renderer; one round of ${TAB_PLAN[1].images} images each shows what a tab without a GPU would pay on them (the tab's backend table keeps such a tab on wasm). On a real GPU they are the fast path; not measured here.`,
      '',
      table(['runtime', 'training step (batch 32)', 'per image', 'client round, 1 epoch', 'round per image', 'teacher logits per image'], tabRows),
      '',
      teacherLine,
      ...notes.map((n) => `- ${n}`),
      '- tfjs-node: not measured (not installable here).',
    ].join('\n');
    return { markdown, data: { samples, tab, encodeMsPerImage: encodePerImage, shard: SHARD, rounds: ROUNDS } };
  },
};
