import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { ImageHead } from './image-tower';
import { tokenBatch, type TextTower } from './text-tower';
import { validLength, type TextVocab } from './text-vocab';

/** Largest |a - b| relative to the largest |b|. */
export function relativeMaxDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`compared arrays differ in length: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-12);
}

export class ExportMismatchError extends Error {
  override readonly name = 'ExportMismatchError';
}

const TOLERANCE = 1e-4;

/** Runs a one-output ONNX model once (session created and released). */
export async function runOnnxOnce(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  try {
    const out = await session.run(feeds);
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** The exported text graph on full 77-token inputs must equal the tfjs tower on trimmed ones. */
export async function verifyTextExport(
  tower: TextTower,
  textModel: Uint8Array,
  vocab: TextVocab,
  inputIds: BigInt64Array,
  count: number,
  outputScale: number,
): Promise<number> {
  const ctx = inputIds.length / count;
  const onnxOut = await runOnnxOnce(textModel, { input_ids: new ort.Tensor('int64', inputIds, [count, ctx]) });
  const rows: Int32Array[] = [];
  for (let i = 0; i < count; i++) {
    const ids = inputIds.subarray(i * ctx, (i + 1) * ctx);
    rows.push(Int32Array.from(ids.subarray(0, validLength(ids)), (id) => vocab.remap[Number(id)]));
  }
  const tfOut = tf.tidy(() => tower.forward(tokenBatch(rows), false).mul(outputScale).dataSync() as Float32Array);
  const diff = relativeMaxDiff(onnxOut, tfOut);
  if (!(diff < TOLERANCE)) throw new ExportMismatchError(`text_model.onnx differs from the trained tower: relative max diff ${diff}`);
  return diff;
}

/** `pixel_values` for a batch of NCHW images. */
export function pixelFeeds(pixels: Float32Array, count: number, imageSize: number): Record<string, ort.Tensor> {
  return { pixel_values: new ort.Tensor('float32', pixels, [count, 3, imageSize, imageSize]) };
}

/**
 * The exported vision graph must equal the backbone followed by the tfjs head: `features` are the
 * backbone graph's outputs for the same pixels.
 */
export async function verifyVisionExport(
  head: ImageHead,
  visionModel: Uint8Array,
  pixels: Float32Array,
  features: Float32Array,
  count: number,
  imageSize: number,
  outputScale: number,
): Promise<number> {
  const onnxOut = await runOnnxOnce(visionModel, pixelFeeds(pixels, count, imageSize));
  const dim = features.length / count;
  const tfOut = tf.tidy(() => head.forward(tf.tensor2d(features, [count, dim])).mul(outputScale).dataSync() as Float32Array);
  const diff = relativeMaxDiff(onnxOut, tfOut);
  if (!(diff < TOLERANCE)) throw new ExportMismatchError(`vision_model.onnx differs from backbone + trained head: relative max diff ${diff}`);
  return diff;
}
