import type { TrainRequest } from '@clipfed/client';
import { trainLocalRound } from '@clipfed/client/local-round';
import {
  FASHION_MNIST_PIXELS,
  SeededRandom,
  classifierToWeightSet,
  clientModelFor,
  initLinearClassifier,
  preprocessPixels,
  zeroShotLogits,
  type ClientModelContext,
} from '@clipfed/fl';
import { stepTimer } from './step-timer';

export const STUDENT_CLASSES = 10;
export const STUDENT_FEATURE_DIM = 512;
export const STUDENT_BATCH = 32;

export const studentContext: ClientModelContext = { embedDim: STUDENT_FEATURE_DIM, numClasses: STUDENT_CLASSES, pixels: FASHION_MNIST_PIXELS };

/** Grey 28×28 RGB bytes, as a Fashion-MNIST shard arrives (costs do not depend on the values). */
export function studentShardBytes(n: number, seed: number): Uint8Array {
  const rng = new SeededRandom(seed);
  const out = new Uint8Array(n * 28 * 28 * 3);
  for (let p = 0; p < n * 28 * 28; p++) out.fill(Math.floor(rng.next() * 256), p * 3, p * 3 + 3);
  return out;
}

export interface StudentRoundTiming {
  images: number;
  /** Milliseconds per training step (batch 32, CE + KD, SGD, BN statistics), from consecutive step callbacks. */
  steps: number[];
  /** The whole `trainLocalRound`: R's class-gradient probe, teacher logits, one local epoch. */
  roundMs: number;
  /** Teacher logits from the shard's CLIP features (zeroShotLogits), for the whole shard. */
  teacherLogitsMs: number;
}

/**
 * One client round of CLIP2FL's student through the real code path (`trainLocalRound`, the function a tab's Web
 * Worker and the Node client call) on whatever tfjs backend is active, on a synthetic shard of `images` 28×28 grey
 * images with random CLIP features. Runs in Node and in a browser page alike.
 */
export async function timeStudentRound(images: number, seed: number): Promise<StudentRoundTiming> {
  const D = STUDENT_FEATURE_DIM;
  const rng = new SeededRandom(seed);
  const model = clientModelFor('student-resnet8');
  const pixels = preprocessPixels(studentShardBytes(images, seed), 28, 28, FASHION_MNIST_PIXELS);
  const features = rng.fillNormal(new Float32Array(images * D));
  const text = rng.fillNormal(new Float32Array(STUDENT_CLASSES * D));
  const labels = Int32Array.from({ length: images }, (_, i) => i % STUDENT_CLASSES);
  const req: TrainRequest = {
    clientModel: 'student-resnet8',
    weights: model.init(studentContext, seed),
    context: studentContext,
    features,
    pixels,
    labels,
    textEmbeddings: text,
    training: { localEpochs: 1, batchSize: STUDENT_BATCH, learningRate: 0.1, weightDecay: 0, seed, objective: 'clip' },
    probe: { classifier: classifierToWeightSet(initLinearClassifier(STUDENT_CLASSES, D, 2)), batchSize: 32, repeats: 10, seed },
    kd: { temperature: 3, alpha: 1 },
  };
  // The first step carries one-off kernel set-up (shader compilation on WebGL / WebGPU): intervals from the second on.
  const timer = stepTimer(1);
  const t0 = performance.now();
  await trainLocalRound(req, () => timer.tick());
  const roundMs = performance.now() - t0;
  const t1 = performance.now();
  await zeroShotLogits(features, text, D);
  return { images, steps: timer.samples, roundMs, teacherLogitsMs: performance.now() - t1 };
}
