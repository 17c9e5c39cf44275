import { OptionError, ShapeError } from './errors';
import { checkSameLayout } from './aggregate';
import type { WeightSet } from './types';
import { squaredDistance } from './weights';

/**
 * Coordinate-wise median of the updates (mean of the two middle values for an even count).
 * Robust to fewer than half of the clients sending arbitrary values.
 */
export function coordinateMedian(updates: readonly WeightSet[]): WeightSet {
  return coordinatewise(updates, (sorted) => {
    const n = sorted.length;
    const mid = n >> 1;
    return n % 2 === 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
  });
}

/**
 * Updates a trimmed mean drops from each end of every coordinate: floor(trimFraction·N), but at least one
 * whenever trimming is asked for and three or more updates leave something after it. Without that floor, 20 %
 * of four or fewer updates is nothing, and the rule would silently be a plain mean, with no defence at all.
 * With one or two updates nothing can be dropped: the result is their mean (docs/RELIABILITY.md says so).
 */
export function trimmedCount(n: number, trimFraction: number): number {
  const cut = Math.floor(trimFraction * n);
  return cut === 0 && trimFraction > 0 && n >= 3 ? 1 : cut;
}

/**
 * Coordinate-wise trimmed mean: drop the trimmedCount(N) smallest and largest values of every coordinate and
 * average the rest.
 */
export function trimmedMean(updates: readonly WeightSet[], trimFraction: number): WeightSet {
  if (!(trimFraction >= 0 && trimFraction < 0.5)) throw new OptionError(`trimFraction must lie in [0, 0.5), got ${trimFraction}`);
  const cut = trimmedCount(updates.length, trimFraction);
  return coordinatewise(updates, (sorted) => {
    let s = 0;
    for (let i = cut; i < sorted.length - cut; i++) s += sorted[i];
    return s / (sorted.length - 2 * cut);
  });
}

/** L2 norm of θ − θ_reference over all tensors together. */
export function updateNorm(update: WeightSet, reference: WeightSet): number {
  checkSameLayout(reference, update);
  let sq = 0;
  for (let k = 0; k < update.length; k++) {
    const a = update[k].data;
    const r = reference[k].data;
    if (r.length !== a.length) throw new ShapeError(`tensor "${update[k].name}" holds ${a.length} values, reference ${r.length}`);
    sq += squaredDistance(a, r);
  }
  return Math.sqrt(sq);
}

/**
 * Scales the update's delta from `reference` (the round's global model) down to at most `maxNorm`
 * in L2 over all tensors; returns reference + clipped delta (the update itself if within bound).
 */
export function clipUpdateNorm(update: WeightSet, reference: WeightSet, maxNorm: number): WeightSet {
  if (!(maxNorm > 0)) throw new OptionError(`maxNorm must be positive, got ${maxNorm}`);
  const norm = updateNorm(update, reference);
  if (norm <= maxNorm) return update.map((t) => ({ name: t.name, shape: [...t.shape], data: t.data.slice() }));
  const scale = maxNorm / norm;
  return update.map((t, k) => {
    const r = reference[k].data;
    const data = new Float32Array(r.length);
    for (let i = 0; i < r.length; i++) data[i] = r[i] + (t.data[i] - r[i]) * scale;
    return { name: t.name, shape: [...t.shape], data };
  });
}

function coordinatewise(updates: readonly WeightSet[], reduce: (sortedValues: Float64Array) => number): WeightSet {
  if (updates.length === 0) throw new OptionError('no update to aggregate');
  const first = updates[0];
  for (const u of updates) checkSameLayout(first, u);
  const column = new Float64Array(updates.length);
  return first.map((t, k) => {
    const data = new Float32Array(t.data.length);
    for (const u of updates) {
      if (u[k].data.length !== t.data.length) throw new ShapeError(`tensor "${t.name}" sizes differ between updates`);
    }
    for (let i = 0; i < data.length; i++) {
      // Insertion sort: N (clients per round) is small, and this beats TypedArray#sort's call overhead.
      for (let j = 0; j < updates.length; j++) {
        const v = updates[j][k].data[i];
        let p = j;
        while (p > 0 && column[p - 1] > v) {
          column[p] = column[p - 1];
          p--;
        }
        column[p] = v;
      }
      data[i] = reduce(column);
    }
    return { name: t.name, shape: [...t.shape], data };
  });
}
