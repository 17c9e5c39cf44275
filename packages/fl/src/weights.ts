import * as tf from '@tensorflow/tfjs';
import { ShapeError } from './errors';
import type { NamedTensor, TensorSpec, WeightSet } from './types';

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function parameterCount(weights: WeightSet): number {
  let n = 0;
  for (const t of weights) n += t.data.length;
  return n;
}

export function weightSetSpec(weights: WeightSet): TensorSpec[] {
  return weights.map((t) => ({ name: t.name, shape: [...t.shape] }));
}

export function findTensor(weights: WeightSet, name: string): NamedTensor {
  const t = weights.find((w) => w.name === name);
  if (!t) {
    throw new ShapeError(`weight set has no tensor "${name}" (it has: ${weights.map((w) => w.name).join(', ') || 'none'})`);
  }
  return t;
}

/** Checks that `weights` has a tensor `name` of exactly `shape` with matching data length; returns its data. */
export function requireTensor(weights: WeightSet, name: string, shape: readonly number[]): Float32Array {
  const t = findTensor(weights, name);
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new ShapeError(`tensor "${name}" has shape [${t.shape}], expected [${shape}]`);
  }
  if (t.data.length !== elementCount(shape)) {
    throw new ShapeError(`tensor "${name}" holds ${t.data.length} values, shape [${shape}] needs ${elementCount(shape)}`);
  }
  return t.data;
}

export function cloneWeightSet(weights: WeightSet): WeightSet {
  return weights.map((t) => ({ name: t.name, shape: [...t.shape], data: t.data.slice() }));
}

/** Reads tensors back into a WeightSet (async so WebGPU/WebGL do not block the thread). */
export async function tensorsToWeightSet(named: { name: string; tensor: tf.Tensor }[]): Promise<WeightSet> {
  const out: WeightSet = [];
  for (const { name, tensor } of named) {
    const data = await tensor.data();
    out.push({ name, shape: [...tensor.shape], data: data instanceof Float32Array ? data : Float32Array.from(data) });
  }
  return out;
}

/** Checks a flat [rows, cols] matrix given as a Float32Array and returns rows. */
export function rowsOf(data: ArrayLike<number>, cols: number, what: string): number {
  if (!Number.isInteger(cols) || cols <= 0) throw new ShapeError(`${what}: dimension must be a positive integer, got ${cols}`);
  if (data.length % cols !== 0) {
    throw new ShapeError(`${what}: ${data.length} values is not a whole number of rows of ${cols}`);
  }
  return data.length / cols;
}

/**
 * Σ (a[i] − r[i])², in float64. Four partial sums: one running sum waits on each addition before the next (four
 * times slower), and the server runs this on every upload.
 */
export function squaredDistance(a: Float32Array, r: Float32Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0; // prettier-ignore
  const m = a.length & ~3;
  for (let i = 0; i < m; i += 4) {
    const d0 = a[i] - r[i];
    const d1 = a[i + 1] - r[i + 1];
    const d2 = a[i + 2] - r[i + 2];
    const d3 = a[i + 3] - r[i + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (let i = m; i < a.length; i++) s0 += (a[i] - r[i]) ** 2;
  return s0 + s1 + s2 + s3;
}
