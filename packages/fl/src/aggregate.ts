import { OptionError, ShapeError } from './errors';
import type { TensorSpec, WeightSet } from './types';

/**
 * Σ wₖ·θₖ / Σ wₖ folded in one update at a time: O(P) memory however many clients report, with
 * float64 accumulators so that thousands of float32 updates add up without drift.
 */
export class StreamingWeightedSum {
  private spec: TensorSpec[] | null = null;
  private sums: Float64Array[] = [];
  private n = 0;
  private total = 0;

  /** Adds one update with a positive weight (its sample count for FedAvg, 1 for a uniform mean). */
  add(update: WeightSet, weight: number): void {
    if (!(weight > 0) || !Number.isFinite(weight)) throw new OptionError(`update weight must be a positive finite number, got ${weight}`);
    if (this.spec === null) {
      this.spec = update.map((t) => ({ name: t.name, shape: [...t.shape] }));
      this.sums = update.map((t) => new Float64Array(t.data.length));
    } else {
      checkSameLayout(this.spec, update);
    }
    for (let k = 0; k < update.length; k++) {
      const src = update[k].data;
      const dst = this.sums[k];
      if (src.length !== dst.length) throw new ShapeError(`tensor "${update[k].name}" holds ${src.length} values, expected ${dst.length}`);
      for (let i = 0; i < src.length; i++) dst[i] += weight * src[i];
    }
    this.n++;
    this.total += weight;
  }

  get count(): number {
    return this.n;
  }

  get totalWeight(): number {
    return this.total;
  }

  /** The weighted mean so far (float32). Throws when nothing was added. */
  result(): WeightSet {
    if (this.spec === null || this.n === 0) throw new OptionError('no update was added: there is nothing to aggregate');
    const inv = 1 / this.total;
    return this.spec.map((s, k) => {
      const sum = this.sums[k];
      const data = new Float32Array(sum.length);
      for (let i = 0; i < sum.length; i++) data[i] = sum[i] * inv;
      return { name: s.name, shape: [...s.shape], data };
    });
  }
}

export type WeightingMode = 'fedavg' | 'uniform';

export interface WeightedUpdate {
  weights: WeightSet;
  numSamples: number;
}

/**
 * FedAvg: weights proportional to each client's sample count (the default, as the FedCLIP paper
 * describes); 'uniform': 1/N per client, as the FedCLIP reference code actually does.
 */
export function aggregateWeighted(updates: readonly WeightedUpdate[], mode: WeightingMode = 'fedavg'): WeightSet {
  if (updates.length === 0) throw new OptionError('no update to aggregate');
  const sum = new StreamingWeightedSum();
  for (const u of updates) {
    if (mode === 'fedavg' && !(u.numSamples > 0)) throw new OptionError(`FedAvg needs a positive sample count, got ${u.numSamples}`);
    sum.add(u.weights, mode === 'fedavg' ? u.numSamples : 1);
  }
  return sum.result();
}

/** Throws unless `update` has the same tensor names and shapes, in order, as `spec`. */
export function checkSameLayout(spec: readonly TensorSpec[], update: WeightSet): void {
  if (update.length !== spec.length) throw new ShapeError(`update has ${update.length} tensors, expected ${spec.length}`);
  spec.forEach((s, k) => {
    const t = update[k];
    if (t.name !== s.name) throw new ShapeError(`tensor ${k} is "${t.name}", expected "${s.name}"`);
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      throw new ShapeError(`tensor "${t.name}" has shape [${t.shape}], expected [${s.shape}]`);
    }
  });
}
