import { OptionError, ShapeError } from './errors';
import type { TensorSpec, WeightSet } from './types';
import { createFold4Kernel, type Fold4Kernel } from './wasm/fold4-kernel';

/** Updates folded together in one pass over the accumulators (see `StreamingWeightedSum`). */
const FOLD_BATCH = 4;
/** Values of each of the four updates copied into kernel memory at a time (4 × 32 KB: stays in L2). */
const CHUNK = 8192;
/** Kernel memory slots: one per update of a batch, and one always zero for a short last batch. */
const SLOTS = 5;

export interface StreamingWeightedSumOptions {
  /** Fold with the WebAssembly SIMD kernel where available (default); false forces the JavaScript loop. */
  simd?: boolean;
}

/**
 * Σ wₖ·θₖ / Σ wₖ folded in as updates arrive: O(P) memory however many clients report, with
 * float64 accumulators so that thousands of float32 updates add up without drift.
 *
 * Updates are folded four at a time, in one pass over the accumulators: they are 8 bytes a value, twice an
 * update, so folding one update per pass spent most of its time moving them through memory. The fold runs in a
 * small WebAssembly SIMD kernel (wasm/fold4.wat) where the runtime has one, with the accumulators in the
 * kernel's memory and each update copied through it in cache-sized chunks; elsewhere in a JavaScript loop
 * (same sums, about 3× slower: docs/BENCHMARKS.md). Holding sixteen updates per pass instead measured the
 * same. Until it is folded, an added update is held by reference: do not modify its arrays after `add`.
 */
export class StreamingWeightedSum {
  private spec: TensorSpec[] | null = null;
  /** Where each tensor's accumulators start, in values. */
  private offsets: number[] = [];
  private sums: Float64Array | null = null;
  private kernel: { fold4: Fold4Kernel['fold4']; scale: Fold4Kernel['scale']; values: Float32Array; scratch: number } | null = null;
  private pending: { update: WeightSet; weight: number }[] = [];
  private n = 0;
  private total = 0;

  constructor(private readonly opts: StreamingWeightedSumOptions = {}) {}

  /** Adds one update with a positive weight (its sample count for FedAvg, 1 for a uniform mean). */
  add(update: WeightSet, weight: number): void {
    if (!(weight > 0) || !Number.isFinite(weight)) throw new OptionError(`update weight must be a positive finite number, got ${weight}`);
    if (this.spec === null) {
      this.allocate(update);
    } else {
      checkSameLayout(this.spec, update);
    }
    update.forEach((t, k) => {
      const expected = this.offsets[k + 1] - this.offsets[k];
      if (t.data.length !== expected) throw new ShapeError(`tensor "${t.name}" holds ${t.data.length} values, expected ${expected}`);
    });
    this.pending.push({ update, weight });
    this.n++;
    this.total += weight;
    if (this.pending.length === FOLD_BATCH) this.fold();
  }

  /**
   * Empties the sum for the next round, keeping its layout and memory: a server reuses one sum per run, because
   * the first writes to fresh accumulators cost page faults (about 4 ms for 4 MB on a small VM, as much as
   * folding ten updates).
   */
  reset(): void {
    this.pending = [];
    this.n = 0;
    this.total = 0;
    this.sums?.fill(0);
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
      const start = this.offsets[k];
      const data = new Float32Array(this.offsets[k + 1] - start);
      if (this.kernel) this.scaleSimd(data, start, inv);
      else for (let i = 0; i < data.length; i++) data[i] = this.sums![start + i] * inv;
      return { name: s.name, shape: [...s.shape], data };
    });
  }

  /** data[i] = inv · sums[start + i], through the kernel's first update slot a chunk at a time (the sums stay). */
  private scaleSimd(data: Float32Array, start: number, inv: number): void {
    const { scale, values, scratch } = this.kernel!;
    const sums = this.sums!;
    for (let from = 0; from < data.length; from += CHUNK) {
      const end = Math.min(data.length, from + CHUNK);
      const vectorised = (end - from) & ~3;
      scale(scratch, (start + from) * 8, vectorised, inv);
      data.set(values.subarray(scratch / 4, scratch / 4 + vectorised), from);
      for (let i = from + vectorised; i < end; i++) data[i] = sums[start + i] * inv;
    }
  }

  private allocate(first: WeightSet): void {
    this.spec = first.map((t) => ({ name: t.name, shape: [...t.shape] }));
    this.offsets = [0];
    for (const t of first) this.offsets.push(this.offsets.at(-1)! + t.data.length);
    const total = this.offsets.at(-1)!;
    const kernel = this.opts.simd === false ? null : createFold4Kernel();
    if (!kernel) {
      this.sums = new Float64Array(total);
      return;
    }
    // Accumulators first (float64), then one chunk per update (float32), 16-byte aligned.
    const scratch = Math.ceil((total * 8) / 16) * 16;
    const bytes = scratch + SLOTS * CHUNK * 4;
    const pages = Math.ceil(bytes / 65536) - kernel.memory.buffer.byteLength / 65536;
    if (pages > 0) kernel.memory.grow(pages);
    this.sums = new Float64Array(kernel.memory.buffer, 0, total);
    this.kernel = { fold4: kernel.fold4, scale: kernel.scale, values: new Float32Array(kernel.memory.buffer), scratch };
  }

  private fold(): void {
    const p = this.pending;
    if (p.length === 0) return;
    if (this.kernel) this.foldSimd(p);
    else {
      const sums = this.sums!;
      for (let k = 0; k < this.spec!.length; k++) {
        const dst = sums.subarray(this.offsets[k], this.offsets[k + 1]);
        if (p.length === 4) fold4(dst, p[0].update[k].data, p[0].weight, p[1].update[k].data, p[1].weight, p[2].update[k].data, p[2].weight, p[3].update[k].data, p[3].weight);
        else for (const { update, weight } of p) fold1(dst, update[k].data, weight);
      }
    }
    this.pending = [];
  }

  /** Fewer than four pending (the last batch) fold as four, the missing ones read from the zero slot at weight 0. */
  private foldSimd(p: { update: WeightSet; weight: number }[]): void {
    const { fold4: kernel, values, scratch } = this.kernel!;
    const sums = this.sums!;
    const slot = (j: number) => scratch + (j < p.length ? j : SLOTS - 1) * CHUNK * 4;
    const weight = (j: number) => p[j]?.weight ?? 0;
    for (let k = 0; k < this.spec!.length; k++) {
      const base = this.offsets[k];
      const length = this.offsets[k + 1] - base;
      for (let start = 0; start < length; start += CHUNK) {
        const end = Math.min(length, start + CHUNK);
        for (let j = 0; j < p.length; j++) values.set(p[j].update[k].data.subarray(start, end), slot(j) / 4);
        const vectorised = (end - start) & ~3;
        kernel((base + start) * 8, slot(0), slot(1), slot(2), slot(3), vectorised, weight(0), weight(1), weight(2), weight(3));
        for (let i = start + vectorised; i < end; i++) {
          let v = 0;
          for (const { update, weight } of p) v += weight * update[k].data[i];
          sums[base + i] += v;
        }
      }
    }
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
