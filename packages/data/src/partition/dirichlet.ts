import { SeededRandom } from '../random';
import { PartitionError } from './long-tail';

export interface DirichletPartitionOptions {
  numClients: number;
  /** Concentration of the per-class Dir(alpha) draws; smaller is more heterogeneous. */
  alpha: number;
  seed: number;
  /** Workers per Dirichlet group ("auxiliary workers" in the reference); 10 by default. */
  groupSize?: number;
  /** Give up (with an error) after this many redraws of one group; the reference loops forever. */
  maxAttempts?: number;
}

/**
 * CReFF's client partition (algorithms.md §2.2), used by CLIP2FL:
 * 1. shuffle the (index, label) pairs;
 * 2. cut them into ceil(numClients / groupSize) consecutive groups (each int(groupSize/numClients * N)
 *    items, the last takes the rest);
 * 3. in each group, deal every class to the group's workers by a Dir(alpha) draw (workers already holding
 *    a full share get nothing), redrawing the whole group until its smallest worker holds at least half
 *    a share;
 * 4. concatenate the workers and re-cut the sequence into numClients contiguous, equal parts (the first
 *    N mod numClients parts get one extra item).
 *
 * So every client has the same size, and the label skew comes from the Dirichlet workers its slice covers.
 * `labels` is indexed by the values in `indices` (pass the full training set's labels).
 */
export function dirichletPartition(indices: Int32Array, labels: Int32Array, opts: DirichletPartitionOptions): Int32Array[] {
  const { numClients, alpha, seed } = opts;
  const groupSize = opts.groupSize ?? 10;
  const maxAttempts = opts.maxAttempts ?? 10_000;
  if (!Number.isInteger(numClients) || numClients < 1) throw new PartitionError(`numClients must be a positive integer, got ${numClients}`);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new PartitionError(`alpha must be a positive number, got ${alpha}`);
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new PartitionError(`groupSize must be a positive integer, got ${groupSize}`);
  if (indices.length < numClients) throw new PartitionError(`cannot split ${indices.length} samples over ${numClients} clients`);

  const n = indices.length;
  const pairLabels = new Int32Array(n);
  let numClasses = 0;
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < labels.length)) throw new PartitionError(`index ${i} is outside the label array (length ${labels.length})`);
    pairLabels[k] = labels[i];
    if (labels[i] < 0) throw new PartitionError(`negative label ${labels[i]} at index ${i}`);
    numClasses = Math.max(numClasses, labels[i] + 1);
  }

  const rng = new SeededRandom(seed);
  const order = rng.permutation(n); // shuffled positions of the (index, label) pairs

  const effectiveGroup = Math.min(groupSize, numClients);
  const numGroups = Math.ceil(numClients / effectiveGroup);
  const workers: number[][] = [];
  let from = 0;
  let workersLeft = numClients;
  for (let g = 0; g < numGroups; g++) {
    const to = g === numGroups - 1 ? n : from + Math.trunc((effectiveGroup / numClients) * n);
    const groupWorkers = Math.min(effectiveGroup, workersLeft);
    workersLeft -= effectiveGroup;
    workers.push(...dealGroup(order.subarray(from, to), pairLabels, numClasses, groupWorkers, alpha, rng, maxAttempts));
    from = to;
  }

  const sequence = new Int32Array(n);
  let at = 0;
  for (const w of workers) for (const pos of w) sequence[at++] = indices[pos];
  return cutEqualParts(sequence, numClients);
}

/** Step 3 for one group: positions of the group's pairs dealt to `numWorkers` workers. */
function dealGroup(
  positions: Int32Array,
  pairLabels: Int32Array,
  numClasses: number,
  numWorkers: number,
  alpha: number,
  rng: SeededRandom,
  maxAttempts: number,
): number[][] {
  const size = positions.length;
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (const pos of positions) byClass[pairLabels[pos]].push(pos);
  const share = size / numWorkers;
  const minWanted = Math.trunc((0.5 * size) / numWorkers);
  const alphas = new Array<number>(numWorkers).fill(alpha);

  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const dealt: number[][] = Array.from({ length: numWorkers }, () => []);
    for (let c = 0; c < numClasses; c++) {
      const members = byClass[c];
      const p = rng.dirichlet(alphas);
      for (let w = 0; w < numWorkers; w++) if (dealt[w].length >= share) p[w] = 0;
      const total = p.reduce((s, x) => s + x, 0);
      if (total === 0) continue; // cannot happen while some worker is below its share; kept for safety
      let cumulative = 0;
      let start = 0;
      for (let w = 0; w < numWorkers; w++) {
        cumulative += p[w] / total;
        const end = w === numWorkers - 1 ? members.length : Math.min(members.length, Math.trunc(cumulative * members.length));
        for (let k = start; k < end; k++) dealt[w].push(members[k]);
        start = Math.max(start, end);
      }
    }
    if (Math.min(...dealt.map((d) => d.length)) >= minWanted) return dealt;
  }
  throw new PartitionError(
    `Dirichlet partition did not give every worker at least ${minWanted} samples in ${maxAttempts} attempts ` +
      `(group of ${size} samples over ${numWorkers} workers, alpha ${alpha}); use a larger alpha or fewer clients`,
  );
}

/** Contiguous parts of equal size; the first length mod parts get one more item. */
export function cutEqualParts(sequence: Int32Array, parts: number): Int32Array[] {
  const base = Math.floor(sequence.length / parts);
  const extra = sequence.length % parts;
  const out: Int32Array[] = [];
  let from = 0;
  for (let k = 0; k < parts; k++) {
    const len = base + (k < extra ? 1 : 0);
    out.push(sequence.slice(from, from + len));
    from += len;
  }
  return out;
}
