import { OptionError, ShapeError } from './errors';
import type { TensorSpec, WeightSet } from './types';
import { createFold4Kernel, type Fold4Kernel } from './wasm/fold4-kernel';

/** Updates folded together in one pass over the accumulators (see `StreamingWeightedSum`). */
const FOLD_BATCH = 4;

export interface StreamingWeightedSumOptions {
  /** Fold with the WebAssembly SIMD kernel where available (default); false forces the JavaScript loop. */
  simd?: boolean;
}

/**
 * Σ wₖ·θₖ / Σ wₖ folded in as updates arrive: O(P) memory however many clients report, with
 * float64 accumulators so that thousands of float32 updates add up without drift.
 *
 * `add` copies the update into one of four slots, so the caller may reuse its arrays at once (the server decodes
 * every upload into the same buffer); a full set of slots is folded in one pass over the accumulators: they are
 * 8 bytes a value, twice an update, so folding one update per pass spent most of its time moving them through
 * memory. The fold runs in a small WebAssembly SIMD kernel (wasm/fold4.wat) where the runtime has one, with
 * accumulators and slots in the kernel's memory; elsewhere in a JavaScript loop (same sums, about 3× slower:
 * docs/BENCHMARKS.md). Folding sixteen updates per pass instead measured the same.
 */
export class StreamingWeightedSum {
  private spec: TensorSpec[] | null = null;
  /** Where each tensor starts in the accumulators and in a slot, in values. */
  private offsets: number[] = [];
  private sums: Float64Array | null = null;
  /** Four updates, flattened (the tensors one after another), waiting to be folded. */
  private slots: Float32Array[] = [];
  private slotWeights = [0, 0, 0, 0];
  private pending = 0;
  private kernel: { fold4: Fold4Kernel['fold4']; scale: Fold4Kernel['scale']; slotAt: number[] } | null = null;
  private n = 0;
  private total = 0;

  constructor(private readonly opts: StreamingWeightedSumOptions = {}) {}

  /** Adds (copies in) one update with a positive weight (its sample count for FedAvg, 1 for a uniform mean). */
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
    const slot = this.slots[this.pending];
    update.forEach((t, k) => slot.set(t.data, this.offsets[k]));
    this.slotWeights[this.pending++] = weight;
    this.n++;
    this.total += weight;
    if (this.pending === FOLD_BATCH) this.fold();
  }

  /**
   * Empties the sum for the next round, keeping its layout and memory: a server reuses one sum per run, because
   * the first writes to fresh accumulators and slots cost page faults (about 4 ms for 4 MB on a small VM, as much
   * as folding ten updates).
   */
  reset(): void {
    this.pending = 0;
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
    const sums = this.sums!;
    const size = this.offsets.at(-1)!;
    // The kernel writes the mean into the (now empty) first slot; each tensor is copied out of it.
    if (this.kernel) this.kernel.scale(this.kernel.slotAt[0], 0, size & ~3, inv);
    const mean = this.slots[0];
    for (let i = this.kernel ? size & ~3 : 0; i < size; i++) mean[i] = sums[i] * inv;
    return this.spec.map((s, k) => ({ name: s.name, shape: [...s.shape], data: mean.slice(this.offsets[k], this.offsets[k + 1]) }));
  }

  private allocate(first: WeightSet): void {
    this.spec = first.map((t) => ({ name: t.name, shape: [...t.shape] }));
    this.offsets = [0];
    for (const t of first) this.offsets.push(this.offsets.at(-1)! + t.data.length);
    const size = this.offsets.at(-1)!;
    const kernel = this.opts.simd === false ? null : createFold4Kernel();
    if (!kernel) {
      this.sums = new Float64Array(size);
      this.slots = Array.from({ length: FOLD_BATCH }, () => new Float32Array(size));
      return;
    }
    // Accumulators first (float64), then the slots (float32), each 16-byte aligned.
    const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
    const slotAt = Array.from({ length: FOLD_BATCH }, (_, j) => align(size * 8) + j * align(size * 4));
    const bytes = slotAt[FOLD_BATCH - 1] + size * 4;
    const pages = Math.ceil(bytes / 65536) - kernel.memory.buffer.byteLength / 65536;
    if (pages > 0) kernel.memory.grow(pages);
    this.sums = new Float64Array(kernel.memory.buffer, 0, size);
    this.slots = slotAt.map((at) => new Float32Array(kernel.memory.buffer, at, size));
    this.kernel = { fold4: kernel.fold4, scale: kernel.scale, slotAt };
  }

  /** Folds the filled slots; fewer than four (the last batch) fold as four, the others zeroed at weight 0. */
  private fold(): void {
    const filled = this.pending;
    if (filled === 0) return;
    this.pending = 0;
    const sums = this.sums!;
    const [a, b, c, d] = this.slots;
    const w = this.slotWeights;
    for (let j = filled; j < FOLD_BATCH; j++) w[j] = 0;
    if (!this.kernel) {
      if (filled === FOLD_BATCH) fold4(sums, a, w[0], b, w[1], c, w[2], d, w[3]);
      else for (let j = 0; j < filled; j++) fold1(sums, this.slots[j], w[j]);
      return;
    }
    for (let j = filled; j < FOLD_BATCH; j++) this.slots[j].fill(0);
    const size = sums.length;
    const vectorised = size & ~3;
    const at = this.kernel.slotAt;
    this.kernel.fold4(0, at[0], at[1], at[2], at[3], vectorised, w[0], w[1], w[2], w[3]);
    for (let i = vectorised; i < size; i++) sums[i] += w[0] * a[i] + w[1] * b[i] + w[2] * c[i] + w[3] * d[i];
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
