import type { TensorSpec, WeightSet } from './types';
import { elementCount } from './weights';

/**
 * Why an untrusted update cannot be used, or null when it can: names, order, shapes, value count
 * and finiteness are all checked against what the server expects.
 */
export function validateWeightSet(update: unknown, expected: readonly TensorSpec[]): string | null {
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
    const data = t.data;
    for (let i = 0; i < n; i++) {
      // x - x is 0 for every finite x and NaN for NaN and ±Infinity: one subtraction, no call, per value.
      if (data[i] - data[i] !== 0) return `tensor "${e.name}" has a non-finite value (${data[i]}) at index ${i}`;
    }
  }
  return null;
}
