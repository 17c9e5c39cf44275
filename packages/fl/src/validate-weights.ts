import type { TensorSpec, WeightSet } from './types';
import { elementCount, squaredDistance } from './weights';

/**
 * Why an untrusted update cannot be used, or null when it can: names, order, shapes, value count
 * and finiteness are all checked against what the server expects.
 */
export function validateWeightSet(update: unknown, expected: readonly TensorSpec[]): string | null {
  return layoutProblem(update, expected) ?? nonFiniteValue(update as WeightSet);
}

export type MeasuredUpdate = { ok: true; norm: number } | { ok: false; problem: string };

/**
 * Checks an untrusted update against the round's adapter and measures how far it moves it (L2 over all tensors),
 * in one pass over the values where `validateWeightSet` then `updateNorm` take two: the distance is finite exactly
 * when every value is, since the reference is finite and the square of a float32 difference cannot overflow a
 * float64. Only an update with a non-finite value costs a second pass, to name it.
 */
export function measureUpdate(update: unknown, reference: WeightSet): MeasuredUpdate {
  const layout = layoutProblem(update, reference);
  if (layout) return { ok: false, problem: layout };
  const data = update as WeightSet;
  let sq = 0;
  for (let k = 0; k < reference.length; k++) sq += squaredDistance(data[k].data, reference[k].data);
  if (Number.isFinite(sq)) return { ok: true, norm: Math.sqrt(sq) };
  const bad = nonFiniteValue(data);
  if (!bad) throw new Error('the reference adapter has a non-finite value');
  return { ok: false, problem: bad };
}

function layoutProblem(update: unknown, expected: readonly TensorSpec[]): string | null {
  if (!Array.isArray(update)) return 'update is not a list of tensors';
  if (update.length !== expected.length) {
    return `update has ${update.length} tensors, expected ${expected.length} (${expected.map((e) => e.name).join(', ')})`;
  }
  for (let k = 0; k < expected.length; k++) {
    const t = update[k] as WeightSet[number] | undefined;
    const e = expected[k];
    if (!t || typeof t !== 'object') return `tensor ${k} is missing`;
    if (t.name !== e.name) return `tensor ${k} is named "${String(t.name)}", expected "${e.name}"`;
    if (!Array.isArray(t.shape) || t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      return `tensor "${e.name}" has shape [${Array.isArray(t.shape) ? t.shape.join(',') : String(t.shape)}], expected [${e.shape.join(',')}]`;
    }
    if (!(t.data instanceof Float32Array)) return `tensor "${e.name}" data is not a Float32Array`;
    const n = elementCount(e.shape);
    if (t.data.length !== n) return `tensor "${e.name}" holds ${t.data.length} values, shape [${e.shape.join(',')}] needs ${n}`;
  }
  return null;
}

function nonFiniteValue(update: WeightSet): string | null {
  for (const { name, data } of update) {
    for (let i = 0; i < data.length; i++) {
      // x - x is 0 for every finite x and NaN for NaN and ±Infinity: one subtraction, no call, per value.
      if (data[i] - data[i] !== 0) return `tensor "${name}" has a non-finite value (${data[i]}) at index ${i}`;
    }
  }
  return null;
}
