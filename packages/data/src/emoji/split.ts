import { SeededRandom } from '../random';
import type { EmojiConcept } from './catalog';

/** Per-image split codes of an EmojiDomain. Pretraining images are in no benchmark split. */
export const SPLIT_TRAIN = 0;
export const SPLIT_VAL = 1;
export const SPLIT_TEST = 2;
export const SPLIT_PRETRAIN = 3;
export type SplitCode = typeof SPLIT_TRAIN | typeof SPLIT_VAL | typeof SPLIT_TEST | typeof SPLIT_PRETRAIN;

export interface ConceptSplitOptions {
  seed?: number;
  /** Share of each class's concepts reserved for pretraining the built-in model. */
  pretrainShare?: number;
  /** Train and val shares of the benchmark concepts; the rest is test. */
  trainShare?: number;
  valShare?: number;
}

/**
 * Splits concepts, class by class: a seeded permutation puts round(pretrainShare * n) concepts in the
 * pretraining share and the others in the benchmark; a second permutation, seeded afresh (as FedCLIP
 * resets its seed for every domain), splits each class's benchmark concepts into int(0.6 m) train,
 * int(0.2 m) val and the rest test. The split is per concept, so a concept falls on the same side in
 * every style, and a benchmark test concept is never trained on in any style.
 */
export function splitConcepts(concepts: EmojiConcept[], opts: ConceptSplitOptions = {}): Map<string, SplitCode> {
  const seed = opts.seed ?? 0;
  const pretrainShare = opts.pretrainShare ?? 0.4;
  const trainShare = opts.trainShare ?? 0.6;
  const valShare = opts.valShare ?? 0.2;
  if (!(pretrainShare >= 0 && pretrainShare < 1)) throw new RangeError(`pretrainShare must be in [0, 1), got ${pretrainShare}`);
  if (!(trainShare >= 0 && valShare >= 0 && trainShare + valShare <= 1)) throw new RangeError(`train/val shares ${trainShare}/${valShare} must be >= 0 and sum to <= 1`);
  const byClass = new Map<number, EmojiConcept[]>();
  for (const c of concepts) {
    let list = byClass.get(c.classIndex);
    if (!list) byClass.set(c.classIndex, (list = []));
    list.push(c);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const roleRng = new SeededRandom(seed);
  const splitRng = new SeededRandom(seed);
  const out = new Map<string, SplitCode>();
  for (const c of classes) {
    const members = byClass.get(c)!;
    const perm = roleRng.permutation(members.length);
    const nPretrain = Math.round(pretrainShare * members.length);
    const benchmark: EmojiConcept[] = [];
    perm.forEach((p, k) => {
      if (k < nPretrain) out.set(members[p].name, SPLIT_PRETRAIN);
      else benchmark.push(members[p]);
    });
    // Benchmark concepts back in catalogue order before the second permutation, so that this split
    // depends only on which concepts are benchmark ones.
    benchmark.sort((a, b) => members.indexOf(a) - members.indexOf(b));
    const m = benchmark.length;
    const nTrain = Math.trunc(trainShare * m);
    const nVal = Math.trunc(valShare * m);
    splitRng.permutation(m).forEach((p, k) => {
      out.set(benchmark[p].name, k < nTrain ? SPLIT_TRAIN : k < nTrain + nVal ? SPLIT_VAL : SPLIT_TEST);
    });
  }
  return out;
}
