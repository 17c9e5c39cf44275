/**
 * Image-tower throughput at several input sizes, in onnxruntime-web's wasm backend (what a
 * browser tab uses without WebGPU; one thread) and in onnxruntime-node:
 *
 *   npx tsx tools/model/bench-vision.ts [size ...]     (default 96 128 160 224)
 *
 * Measures the backbone graph (the head adds one 1792x512 matMul, negligible).
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { buildBackboneOnnx } from './backbone';

export interface ThroughputRow {
  imageSize: number;
  runtime: string;
  imagesPerSecond: number;
  msPerImage: number;
}

type Session = { run(feeds: Record<string, unknown>): Promise<unknown> };

async function timeRuns(session: Session, makeFeeds: () => Record<string, unknown>, batch: number, seconds: number): Promise<number> {
  await session.run(makeFeeds()); // warm-up
  let images = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await session.run(makeFeeds());
    images += batch;
  }
  return images / ((performance.now() - start) / 1000);
}

export async function benchVision(sizes: number[], batch = 16, seconds = 5): Promise<ThroughputRow[]> {
  const require = createRequire(import.meta.url);
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.wasmPaths = `${path.dirname(require.resolve('onnxruntime-web'))}/`;
  const rows: ThroughputRow[] = [];
  for (const S of sizes) {
    const model = buildBackboneOnnx(S);
    const pixels = new Float32Array(batch * 3 * S * S).map((_, i) => Math.sin(i) * 0.9);
    const web = await ortWeb.InferenceSession.create(model, { executionProviders: ['wasm'] });
    const webRate = await timeRuns(web, () => ({ pixel_values: new ortWeb.Tensor('float32', pixels, [batch, 3, S, S]) }), batch, seconds);
    await web.release();
    const node = await ortNode.InferenceSession.create(model);
    const nodeRate = await timeRuns(node, () => ({ pixel_values: new ortNode.Tensor('float32', pixels, [batch, 3, S, S]) }), batch, seconds);
    await node.release();
    rows.push({ imageSize: S, runtime: 'onnxruntime-web wasm, 1 thread', imagesPerSecond: webRate, msPerImage: 1000 / webRate });
    rows.push({ imageSize: S, runtime: 'onnxruntime-node cpu', imagesPerSecond: nodeRate, msPerImage: 1000 / nodeRate });
  }
  return rows;
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  const rows = await benchVision(sizes.length > 0 ? sizes : [96, 128, 160, 224]);
  console.log('| input | runtime | images/s | ms/image |\n| ---: | --- | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.imageSize} | ${r.runtime} | ${r.imagesPerSecond.toFixed(1)} | ${r.msPerImage.toFixed(1)} |`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}
