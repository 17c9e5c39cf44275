import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { table, type BenchCase } from '../lib/bench-case';
import { buildBenchPage, serveBenchPage } from '../lib/bench-page';
import { launchChromium } from '../lib/browser';
import { fmt, fmtSummary, summarize, type Summary } from '../lib/stats';
import { buildVitImageTower, CLIP_VIT_B32, vitMacsPerImage, vitParameterCount } from '../models/vit-image-tower';
import type { EncodeResult } from '../page/bench-page';

interface ModelUnderTest {
  key: string;
  label: string;
  dir: string;
  file: string;
  imageSize: number;
  batch: number;
  /** Timed runs per runtime; webgpu 0 = the first run alone (it is that slow on a software adapter). */
  runs: { node: number; wasm: number; webgpu: number };
}

interface Row {
  model: string;
  runtime: string;
  sessionMs?: number;
  firstRunMs?: number;
  perBatch: Summary;
  imagesPerSecond: number;
  note?: string;
}

async function builtinModel(root: string): Promise<ModelUnderTest | string> {
  const dir = join(root, 'models/builtin');
  if (!existsSync(join(dir, 'manifest.json'))) return 'models/builtin is not built yet (npm run build:model)';
  const pre = JSON.parse(await readFile(join(dir, 'preprocessor_config.json'), 'utf8')) as { crop_size?: number | { height: number } };
  const imageSize = typeof pre.crop_size === 'number' ? pre.crop_size : (pre.crop_size?.height ?? 224);
  return { key: 'builtin', label: `built-in (models/builtin, ${imageSize} px)`, dir, file: 'onnx/vision_model.onnx', imageSize, batch: 8, runs: { node: 10, wasm: 6, webgpu: 3 } };
}

async function vitModel(cacheDir: string): Promise<ModelUnderTest> {
  const dir = join(cacheDir, 'vit-b32');
  const path = join(dir, 'vision_model.onnx');
  if (!existsSync(path) || (await stat(path)).size < 300e6) {
    await mkdir(dir, { recursive: true });
    await writeFile(path, buildVitImageTower(CLIP_VIT_B32));
  }
  return { key: 'vit', label: 'CLIP ViT-B/32 image tower shapes (random weights)', dir, file: 'vision_model.onnx', imageSize: 224, batch: 1, runs: { node: 4, wasm: 3, webgpu: 0 } };
}

async function encodeNode(m: ModelUnderTest): Promise<Row> {
  let t0 = performance.now();
  const session = await ort.InferenceSession.create(join(m.dir, m.file));
  const sessionMs = performance.now() - t0;
  const pixels = new Float32Array(m.batch * 3 * m.imageSize * m.imageSize).map((_, i) => Math.sin(i * 0.01));
  const feed = { [session.inputNames[0]]: new ort.Tensor('float32', pixels, [m.batch, 3, m.imageSize, m.imageSize]) };
  t0 = performance.now();
  await session.run(feed);
  const firstRunMs = performance.now() - t0;
  const runs: number[] = [];
  for (let i = 0; i < m.runs.node; i++) {
    t0 = performance.now();
    await session.run(feed);
    runs.push(performance.now() - t0);
  }
  await session.release();
  const perBatch = summarize(runs);
  return { model: m.label, runtime: 'onnxruntime-node (CPU, 2 threads)', sessionMs, firstRunMs, perBatch, imagesPerSecond: (1000 * m.batch) / perBatch.median };
}

function rowFromBrowser(m: ModelUnderTest, provider: 'wasm' | 'webgpu', r: EncodeResult): Row {
  const alone = r.runs.length === 0;
  const perBatch = summarize(alone ? [r.firstRunMs] : r.runs);
  return {
    model: m.label,
    runtime: provider === 'wasm' ? 'onnxruntime-web wasm (Chromium, 1 thread)' : `onnxruntime-web WebGPU (Chromium, ${r.adapter ?? 'adapter'})`,
    sessionMs: r.sessionMs,
    firstRunMs: alone ? undefined : r.firstRunMs,
    perBatch,
    imagesPerSecond: (1000 * m.batch) / perBatch.median,
    note: alone ? 'one run, its first: includes shader compilation (a second run measured within 5 % of it while this was built)' : undefined,
  };
}

export const encodeCase: BenchCase = {
  id: 'encode',
  title: 'Image encoding throughput (CLIP image tower)',
  expectedSeconds: 230,
  async run(ctx) {
    const notes: string[] = [];
    const models: ModelUnderTest[] = [];
    const builtin = await builtinModel(ctx.root);
    if (typeof builtin === 'string') notes.push(`Built-in model: not measured, ${builtin}.`);
    else models.push(builtin);
    models.push(await vitModel(ctx.cacheDir));
    ctx.progress(0.02);
    const rows: Row[] = [];
    for (const m of models) rows.push(await encodeNode(m));
    ctx.progress(0.08);

    const pageDir = join(ctx.cacheDir, 'page');
    await buildBenchPage(ctx.root, pageDir);
    const server = await serveBenchPage(pageDir, Object.fromEntries(models.map((m) => [m.key, m.dir])));
    const browser = await launchChromium();
    // Weights of each browser measurement in the progress bar (the WebGPU ViT run dominates).
    const plan = models.flatMap((m) => (['wasm', 'webgpu'] as const).map((provider) => ({ m, provider, weight: m.key === 'vit' && provider === 'webgpu' ? 10 : 1 })));
    const totalWeight = plan.reduce((s, p) => s + p.weight, 0);
    let doneWeight = 0;
    try {
      for (const { m, provider, weight } of plan) {
        // A fresh page per measurement: sessions of a 350 MB model do not share a tab's memory well.
        const page = await browser.newPage();
        try {
          await page.goto(server.url);
          await page.waitForFunction(() => 'bench' in window);
          const runs = m.runs[provider];
          const r = await page.evaluate(
            (req) => window.bench.encode(req),
            { provider, modelUrl: `/models/${m.key}/${m.file}`, batch: m.batch, imageSize: m.imageSize, warmup: runs === 0 ? 0 : 1, runs },
          );
          rows.push(rowFromBrowser(m, provider, r));
        } catch (e) {
          notes.push(`${m.label}, ${provider} in Chromium: failed (${(e as Error).message.split('\n')[0]}).`);
        } finally {
          await page.close();
        }
        doneWeight += weight;
        ctx.progress(0.1 + (0.9 * doneWeight) / totalWeight);
      }
    } finally {
      await browser.close();
      await server.close();
    }

    const tableRows = rows.map((r) => {
      const wasm = rows.find((x) => x.model === r.model && x.runtime.includes('wasm'));
      return [
        r.model,
        r.runtime,
        r.sessionMs !== undefined ? `${fmt(r.sessionMs / 1000)} s` : '–',
        r.firstRunMs !== undefined ? `${fmt(r.firstRunMs)} ms` : '–',
        fmtSummary(r.perBatch, 'ms') + (r.note ? ` ¹` : ''),
        fmt(r.imagesPerSecond),
        wasm ? `${fmt(r.imagesPerSecond / wasm.imagesPerSecond)}×` : '–',
      ];
    });
    const vit = models.find((m) => m.key === 'vit')!;
    const markdown = [
      `The image tower alone (preprocessing not included), on the same synthetic input in every runtime: the built-in model in batches of ${builtin && typeof builtin !== 'string' ? builtin.batch : 8}, and a model with the exact layer shapes of CLIP ViT-B/32's image tower (patch 32, width 768, 12 layers, 12 heads, 224 px input, projection 512: ${fmt(vitParameterCount(CLIP_VIT_B32) / 1e6)} M parameters, ${fmt(vitMacsPerImage(CLIP_VIT_B32) / 1e9)} G multiply-adds per image, ${fmt((await stat(join(vit.dir, vit.file))).size / 1e6)} MB) built with the project's ONNX writer and random weights, one image per batch, so that the real model's cost is known without its weights. Chromium's pages are not cross-origin isolated, so onnxruntime-web's wasm runs on one thread (as on the volunteer page). "vs wasm" is images/s relative to onnxruntime-web wasm for the same model in this run.`,
      '',
      table(['model', 'runtime', 'session creation', 'first run', 'per batch', 'images/s', 'vs wasm'], tableRows),
      '',
      ...(rows.some((r) => r.note) ? [`¹ ${rows.find((r) => r.note)!.note}. WebGPU here is SwiftShader, a software adapter on the CPU: on a real GPU the ranking reverses, which is why the page measures instead of trusting the name (apps/web/src/backend-choice.ts).`, ''] : []),
      ...notes.map((n) => `- ${n}`),
    ].join('\n');
    return { markdown, data: { rows } };
  },
};
