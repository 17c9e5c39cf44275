import { rgbPixelFormat, type ClientModelContext, type PixelFormat, type ShotThresholds } from '@clipfed/fl';
import type { ImageShard } from '@clipfed/protocol';

/** A labelled image set held by the server, RGB bytes [n, height, width, 3]. */
export interface LabelledImages {
  images: Uint8Array;
  labels: Int32Array;
  width: number;
  height: number;
}

export interface EvaluationSet {
  name: string;
  /** Never trained on by any client (the held-out style; Fashion-MNIST-LT's balanced test set). */
  heldOut: boolean;
  /** The shard whose own test data this is; the `local` algorithm evaluates that shard's adapter on it. */
  ownerShard?: number;
  data: LabelledImages;
}

/** What a run trains and measures: client shards and held-out evaluation sets, independent of the algorithm. */
export interface RunTask {
  dataset: string;
  classNames: string[];
  prompts: string[];
  shards: ImageShard[];
  evaluationSets: EvaluationSet[];
  /**
   * Long-tailed tasks: training images per class over all shards, which put each class in the
   * many / medium / few-shot group (by `shotThresholds`) for the held-out sets' grouped accuracy.
   */
  trainClassCounts?: number[];
  shotThresholds?: ShotThresholds;
  /**
   * How a client model that reads pixels (CLIP2FL's student) is given the images, by every client and by the
   * evaluator alike; absent: RGB at the shards' size.
   */
  pixels?: PixelFormat;
}

/** The run's pixel format: the task's, or RGB at the size of its images. */
export function pixelFormatOf(task: RunTask): PixelFormat {
  if (task.pixels) return task.pixels;
  const first = task.shards[0] ?? task.evaluationSets[0]?.data;
  return rgbPixelFormat(first?.width ?? 1, first?.height ?? 1);
}

/** What the run's client model is built for: CLIP's embedding size, the task's classes and its pixel format. */
export function clientModelContext(task: RunTask, embedDim: number): ClientModelContext {
  return { embedDim, numClasses: task.classNames.length, pixels: pixelFormatOf(task) };
}

export const PROMPT_TEMPLATE = 'a picture of a {}';

export function promptsFor(classNames: readonly string[]): string[] {
  return classNames.map((c) => PROMPT_TEMPLATE.replace('{}', c));
}

export function selectImages(src: LabelledImages, indices: ArrayLike<number>): LabelledImages {
  const stride = src.width * src.height * 3;
  const images = new Uint8Array(indices.length * stride);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i];
    images.set(src.images.subarray(idx * stride, (idx + 1) * stride), i * stride);
    labels[i] = src.labels[idx];
  }
  return { images, labels, width: src.width, height: src.height };
}

/**
 * The `centralised` upper bound: one shard holding the union of every client's training data, so
 * a single client trains on all of it (through the same client code), evaluated like the others.
 * Per-shard evaluation sets lose their owner (there is one shard now).
 */
export function centralisedTask(task: RunTask): RunTask {
  if (task.shards.length === 0) return task;
  const { width, height, classNames } = task.shards[0];
  for (const s of task.shards) {
    if (s.width !== width || s.height !== height) throw new Error(`shards differ in image size (${s.width}x${s.height} vs ${width}x${height}); cannot merge them`);
  }
  const total = task.shards.reduce((n, s) => n + s.labels.length, 0);
  const images = new Uint8Array(total * width * height * 3);
  const labels = new Int32Array(total);
  let at = 0;
  for (const s of task.shards) {
    images.set(s.images, at * width * height * 3);
    labels.set(s.labels, at);
    at += s.labels.length;
  }
  return {
    ...task,
    shards: [{ label: `all training data (${task.shards.length} shards, ${total} images)`, classNames, width, height, labels, images }],
    evaluationSets: task.evaluationSets.map(({ ownerShard: _owner, ...set }) => set),
  };
}
