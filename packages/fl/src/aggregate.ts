import { OptionError, ShapeError } from './errors';
import type { TensorSpec, WeightSet } from './types';

/** Updates folded together in one pass over the accumulators (see `StreamingWeightedSum`). */
const FOLD_BATCH = 4;

/**
 * Σ wₖ·θₖ / Σ wₖ folded in as updates arrive: O(P) memory however many clients report, with
 * float64 accumulators so that thousands of float32 updates add up without drift.
 *
 * Updates are folded four at a time: one pass over the float64 accumulators per four updates
 * instead of one per update. The accumulators (8 bytes a value) are twice the size of an update,
 * so folding one at a time spent most of its time moving them through memory (measured 2-3x a
 * plain read of the update; batched, 1.0-1.3x: docs/BENCHMARKS.md). Until it is folded, an added
 * update is held by reference: do not modify its arrays after `add`.
 */
export class StreamingWeightedSum {
  private spec: TensorSpec[] | null = null;
  private sums: Float64Array[] = [];
  private pending: { update: WeightSet; weight: number }[] = [];
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
    update.forEach((t, k) => {
      if (t.data.length !== this.sums[k].length) throw new ShapeError(`tensor "${t.name}" holds ${t.data.length} values, expected ${this.sums[k].length}`);
    });
    this.pending.push({ update, weight });
    this.n++;
    this.total += weight;
    if (this.pending.length === FOLD_BATCH) this.fold();
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
    this.fold();
    const inv = 1 / this.total;
    return this.spec.map((s, k) => {
      const sum = this.sums[k];
      const data = new Float32Array(sum.length);
      for (let i = 0; i < sum.length; i++) data[i] = sum[i] * inv;
      return { name: s.name, shape: [...s.shape], data };
    });
  }

  private fold(): void {
    const p = this.pending;
    if (p.length === 0) return;
    for (let k = 0; k < this.sums.length; k++) {
      const dst = this.sums[k];
      if (p.length === 4) fold4(dst, p[0].update[k].data, p[0].weight, p[1].update[k].data, p[1].weight, p[2].update[k].data, p[2].weight, p[3].update[k].data, p[3].weight);
      else for (const { update, weight } of p) fold1(dst, update[k].data, weight);
    }
    this.pending = [];
  }
}

function fold1(dst: Float64Array, a: Float32Array, wa: number): void {
  for (let i = 0; i < dst.length; i++) dst[i] += wa * a[i];
}

function fold4(dst: Float64Array, a: Float32Array, wa: number, b: Float32Array, wb: number, c: Float32Array, wc: number, d: Float32Array, wd: number): void {
  for (let i = 0; i < dst.length; i++) dst[i] += wa * a[i] + wb * b[i] + wc * c[i] + wd * d[i];
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
