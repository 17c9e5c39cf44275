import * as ort from 'onnxruntime-node';
import { preprocessImage, type PreprocessorConfig } from '@clipfed/clip';
import type { ImageSet, ProgressFn } from '@clipfed/data';
import { hashParts, readCachedFeatures, writeCachedFeatures } from './feature-cache';

export interface FeatureRequest {
  /** ONNX graph with one float input (NCHW pixels) and one [batch, dim] float output. */
  readonly graph: Uint8Array;
  readonly dim: number;
  readonly preprocessor: PreprocessorConfig;
  readonly set: ImageSet;
  /** Which images of the set (default all). */
  readonly indices?: ArrayLike<number>;
  readonly stage: string;
  readonly cacheDir: string;
  readonly onProgress?: ProgressFn;
  readonly batchSize?: number;
}

/** Runs the graph over the images, preprocessed as the product does it; cached on disk. */
export async function imageFeatures(req: FeatureRequest): Promise<Float32Array> {
  const { set, dim } = req;
  const per = set.width * set.height * 3;
  const indices = req.indices ?? Int32Array.from({ length: set.labels.length }, (_, i) => i);
  const idx = Int32Array.from(indices);
  const key = hashParts([
    'image-features-v1',
    req.graph,
    JSON.stringify(req.preprocessor),
    `${set.width}x${set.height}`,
    new Uint8Array(idx.buffer),
    set.images,
  ]);
  const cached = readCachedFeatures(req.cacheDir, key, idx.length * dim);
  if (cached) {
    req.onProgress?.({ stage: `${req.stage} (cached)`, done: idx.length, total: idx.length });
    return cached;
  }

  const session = await ort.InferenceSession.create(req.graph);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  const out = new Float32Array(idx.length * dim);
  const batch = req.batchSize ?? 32;
  req.onProgress?.({ stage: req.stage, done: 0, total: idx.length });
  for (let start = 0; start < idx.length; start += batch) {
    const n = Math.min(batch, idx.length - start);
    let pixels: Float32Array | null = null;
    let side = 0;
    for (let k = 0; k < n; k++) {
      const i = idx[start + k];
      const chw = preprocessImage({ width: set.width, height: set.height, data: set.images.subarray(i * per, (i + 1) * per) }, req.preprocessor);
      if (!pixels) {
        side = Math.round(Math.sqrt(chw.length / 3));
        pixels = new Float32Array(n * chw.length);
      }
      pixels.set(chw, k * chw.length);
    }
    const result = await session.run({ [inputName]: new ort.Tensor('float32', pixels!, [n, 3, side, side]) });
    out.set(result[outputName].data as Float32Array, start * dim);
    req.onProgress?.({ stage: req.stage, done: start + n, total: idx.length });
  }
  await session.release();
  writeCachedFeatures(req.cacheDir, key, out);
  return out;
}
