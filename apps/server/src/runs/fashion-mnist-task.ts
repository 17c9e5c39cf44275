import { FASHION_MNIST_CLASSES, dirichletPartition, indicesByClass, longTailClassCounts, PartitionError, SeededRandom } from '@clipfed/data/browser-safe';
import { DatasetMissingError, loadFashionMnist, type ImageSet, type ProgressFn } from '@clipfed/data';
import { FASHION_MNIST_PIXELS, scaledShotThresholds } from '@clipfed/fl';
import type { RunConfig } from '@clipfed/protocol';
import { TaskConfigError } from './emoji-task';
import { promptsFor, selectImages, type RunTask } from './run-task';

/** Fashion-MNIST's training images per class: the long tail's head at full size. */
const FULL_HEAD = 6000;

/**
 * Indices of a long-tailed training subset with `headClassSize` images in class 0 and
 * headClassSize / imbalanceFactor in class C−1 (algorithms.md §2.2). Each class's pool is shuffled
 * with one seeded generator, the same way whatever the counts, so for one seed a steeper tail (or a
 * smaller head) keeps a prefix of each class's images: IF 100's images are all in IF 10's, which lets
 * feature caches serve every setting from one encoding. With headClassSize 6000 this is exactly
 * `sampleLongTail` of @clipfed/data.
 */
export function longTailSubset(labels: Int32Array, numClasses: number, headClassSize: number, imbalanceFactor: number, seed: number): { indices: Int32Array; counts: number[] } {
  const counts = longTailClassCounts(headClassSize, numClasses, imbalanceFactor);
  const byClass = indicesByClass(labels, numClasses);
  const rng = new SeededRandom(seed);
  const indices = new Int32Array(counts.reduce((s, n) => s + n, 0));
  let at = 0;
  byClass.forEach((pool, c) => {
    if (pool.length < counts[c]) throw new TaskConfigError(`class ${c} has ${pool.length} training images, the long tail asks for ${counts[c]}`);
    rng.shuffle(pool);
    for (let k = 0; k < counts[c]; k++) indices[at++] = pool[k];
  });
  return { indices, counts };
}

/** The first `perClass` images of every class, in file order: the same for every seed, so its features cache once. */
export function balancedTestIndices(labels: Int32Array, numClasses: number, perClass: number): Int32Array {
  const byClass = indicesByClass(labels, numClasses);
  const picked: number[] = [];
  byClass.forEach((pool, c) => {
    if (pool.length < perClass) throw new TaskConfigError(`test class ${c} has ${pool.length} images, fewer than testPerClass ${perClass}`);
    picked.push(...pool.slice(0, perClass));
  });
  return Int32Array.from(picked.sort((a, b) => a - b));
}

/**
 * Fashion-MNIST-LT as CLIP2FL builds CIFAR-10-LT (algorithms.md §2.2): a long-tailed training set
 * (imbalance factor IF), split over `clientShards` equal-size client shards by CReFF's Dirichlet
 * procedure (alpha), and the balanced test set as the one evaluation set. Shot groups use
 * ImageNet-LT's 100 / 20 thresholds scaled by 10·headClassSize/6000 (many > 1,000 and few < 200 at
 * full size; see packages/fl README).
 */
export function buildFashionMnistLtTask(config: RunConfig, data: { train: ImageSet; test: ImageSet }): RunTask {
  const C = FASHION_MNIST_CLASSES.length;
  const s = config.fashionMnistLt;
  const seed = s.dataSeed ?? config.seed;
  const { indices, counts } = longTailSubset(data.train.labels, C, s.headClassSize, s.imbalanceFactor, seed);
  if (indices.length < s.clientShards) {
    throw new TaskConfigError(`the long-tailed set has ${indices.length} images, too few for ${s.clientShards} client shards`);
  }
  let parts: Int32Array[];
  try {
    parts = dirichletPartition(indices, data.train.labels, { numClients: s.clientShards, alpha: s.dirichletAlpha, seed });
  } catch (e) {
    if (e instanceof PartitionError) throw new TaskConfigError(`Fashion-MNIST-LT partition: ${e.message}`);
    throw e;
  }
  const shards = parts.map((part, k) => {
    const sel = selectImages(data.train, part);
    const classes = new Set(sel.labels).size;
    return { label: `client ${k + 1} of ${parts.length} (${sel.labels.length} images, ${classes} classes)`, classNames: [...FASHION_MNIST_CLASSES], ...sel };
  });
  const test = selectImages(data.test, balancedTestIndices(data.test.labels, C, s.testPerClass));
  return {
    dataset: 'fashion-mnist-lt',
    classNames: [...FASHION_MNIST_CLASSES],
    prompts: promptsFor(FASHION_MNIST_CLASSES),
    shards,
    evaluationSets: [{ name: `test (balanced, ${test.labels.length})`, heldOut: true, data: test }],
    trainClassCounts: counts,
    shotThresholds: scaledShotThresholds((10 * s.headClassSize) / FULL_HEAD),
    // Grey 28×28: the student reads one channel (the RGB shards repeat it three times for CLIP).
    pixels: FASHION_MNIST_PIXELS,
  };
}

/** Loads Fashion-MNIST once; a missing dataset becomes a TaskConfigError naming the Debian package. */
export async function loadFashionMnistData(onProgress?: ProgressFn): Promise<{ train: ImageSet; test: ImageSet }> {
  try {
    return await loadFashionMnist({ onProgress });
  } catch (e) {
    if (e instanceof DatasetMissingError) {
      throw new TaskConfigError(`dataset "fashion-mnist-lt" needs Fashion-MNIST (Debian package dataset-fashion-mnist): ${e.message}`);
    }
    throw e;
  }
}
