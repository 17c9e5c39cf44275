import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '@clipfed/data';

/** Seeded initial values, so that a rebuild gives the same weights. */
export function normalValues(rng: SeededRandom, size: number, std: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal() * std;
  return out;
}

// tfjs variable names are global; several towers (or builds) can live in one process.
let variableCounter = 0;
const unique = (name: string): string => `${name}_${variableCounter++}`;

export function normalVariable(rng: SeededRandom, shape: number[], std: number, name: string): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.variable(tf.tensor(normalValues(rng, size, std), shape), true, unique(name));
}

export function constantVariable(shape: number[], value: number, name: string): tf.Variable {
  return tf.variable(tf.fill(shape, value), true, unique(name));
}

/** He-style init for a [fanIn, fanOut] weight matrix. */
export function denseVariable(rng: SeededRandom, fanIn: number, fanOut: number, name: string): tf.Variable {
  return normalVariable(rng, [fanIn, fanOut], Math.sqrt(1 / fanIn), name);
}

export function countParameters(vars: readonly tf.Variable[]): number {
  return vars.reduce((s, v) => s + v.size, 0);
}
