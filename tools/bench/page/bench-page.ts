/**
 * The browser half of `npm run bench`: Playwright opens this page in Chromium and calls `window.bench.*`.
 * Each call measures one thing and returns plain numbers (milliseconds).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import type { MatMulMode } from '@clipfed/fl';
import { timeStudentRound, type StudentRoundTiming } from '../shared/student-round';
import { timeTrainSteps } from '../shared/train-steps';

export interface EncodeRequest {
  provider: 'wasm' | 'webgpu';
  modelUrl: string;
  batch: number;
  imageSize: number;
  warmup: number;
  runs: number;
}

export interface EncodeResult {
  sessionMs: number;
  firstRunMs: number;
  runs: number[];
  adapter?: string;
}

async function adapterName(): Promise<string | undefined> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> } }).gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return undefined;
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.isFallbackAdapter ? '(fallback)' : ''].filter(Boolean).join(' ');
}

async function encode(req: EncodeRequest): Promise<EncodeResult> {
  const ort = req.provider === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web');
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.logLevel = 'error';
  const bytes = new Uint8Array(await (await fetch(req.modelUrl)).arrayBuffer());
  let t0 = performance.now();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [req.provider] });
  const sessionMs = performance.now() - t0;
  const size = 3 * req.imageSize * req.imageSize;
  const pixels = new Float32Array(req.batch * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.sin(i * 0.01);
  const feed = { [session.inputNames[0]]: new ort.Tensor('float32', pixels, [req.batch, 3, req.imageSize, req.imageSize]) };
  const once = async () => {
    const out = await session.run(feed);
    for (const t of Object.values(out)) {
      await t.getData?.();
      t.dispose();
    }
  };
  // The first run compiles kernels (shaders on WebGPU); with warmup 0 it is the only run and is reported alone.
  t0 = performance.now();
  await once();
  const firstRunMs = performance.now() - t0;
  for (let i = 1; i < req.warmup; i++) await once();
  if (req.warmup === 0) req.runs = 0;
  const runs: number[] = [];
  for (let i = 0; i < req.runs; i++) {
    t0 = performance.now();
    await once();
    runs.push(performance.now() - t0);
  }
  await session.release();
  return { sessionMs, firstRunMs, runs, adapter: req.provider === 'webgpu' ? await adapterName() : undefined };
}

async function useBackend(backend: string): Promise<void> {
  setWasmPaths('/tfjs-wasm/');
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not start the ${backend} backend in this browser`);
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`asked for ${backend}, tfjs runs ${tf.getBackend()}`);
}

async function trainSteps(req: { backend: string; steps: number; mode?: MatMulMode }): Promise<{ backend: string; steps: number[] }> {
  await useBackend(req.backend);
  const t = await timeTrainSteps({ steps: req.steps, mode: req.mode });
  return { backend: tf.getBackend(), steps: t.steps };
}

/** One client round of CLIP2FL's student (`trainLocalRound`) on a synthetic shard. */
async function studentRound(req: { backend: string; images: number; seed: number }): Promise<StudentRoundTiming> {
  await useBackend(req.backend);
  return timeStudentRound(req.images, req.seed);
}

declare global {
  interface Window {
    bench: { encode: typeof encode; trainSteps: typeof trainSteps; studentRound: typeof studentRound; adapterName: typeof adapterName; userAgent: string };
  }
}

window.bench = { encode, trainSteps, studentRound, adapterName, userAgent: navigator.userAgent };
document.getElementById('status')!.textContent = 'bench page ready';
