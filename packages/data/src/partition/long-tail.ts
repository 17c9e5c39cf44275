import { SeededRandom } from '../random';

export class PartitionError extends Error {
  override name = 'PartitionError';
}

/**
 * Per-class sample counts of a long-tailed training set (CLIP2FL/CReFF, algorithms.md §2.2):
 * n_c = int(nMax * (1/IF)^(c/(C-1))), class 0 being the head. IF = 1 gives a balanced set.
 */
export function longTailClassCounts(nMax: number, numClasses: number, imbalanceFactor: number): number[] {
  if (!Number.isInteger(nMax) || nMax < 1) throw new PartitionError(`nMax must be a positive integer, got ${nMax}`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new PartitionError(`numClasses must be a positive integer, got ${numClasses}`);
  if (!(imbalanceFactor >= 1) || !Number.isFinite(imbalanceFactor)) {
    throw new PartitionError(`imbalanceFactor is the head/tail ratio (e.g. 10, 50, 100) and must be >= 1, got ${imbalanceFactor}`);
  }
  if (numClasses === 1) return [nMax];
  // The reference computes with imb_factor = 1/IF (0.01 for IF 100); 1/IF gives the same double.
  const ratio = 1 / imbalanceFactor;
  return Array.from({ length: numClasses }, (_, c) => Math.trunc(nMax * Math.pow(ratio, c / (numClasses - 1))));
}

/**
 * Indices (into the training set) of a long-tailed subset: per class, the class's indices are shuffled
 * and the first n_c kept, with n_max = (training-set size) / numClasses as in the reference. The result
 * is grouped by class, class 0 first.
 */
export function sampleLongTail(labels: Int32Array, numClasses: number, imbalanceFactor: number, seed: number): Int32Array {
  const byClass = indicesByClass(labels, numClasses);
  const nMax = Math.floor(labels.length / numClasses);
  const counts = longTailClassCounts(nMax, numClasses, imbalanceFactor);
  const rng = new SeededRandom(seed);
  const out = new Int32Array(counts.reduce((s, n) => s + n, 0));
  let at = 0;
  for (let c = 0; c < numClasses; c++) {
    const pool = byClass[c];
    if (pool.length < counts[c]) {
      throw new PartitionError(`class ${c} has ${pool.length} training images but the long tail asks for ${counts[c]} (n_max ${nMax}, IF ${imbalanceFactor})`);
    }
    rng.shuffle(pool);
    for (let k = 0; k < counts[c]; k++) out[at++] = pool[k];
  }
  return out;
}

/** Dataset indices of each class, in dataset order. */
export function indicesByClass(labels: Int32Array, numClasses: number): number[][] {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < numClasses)) throw new PartitionError(`label ${y} at index ${i} is outside 0..${numClasses - 1}`);
    byClass[y].push(i);
  }
  return byClass;
}
