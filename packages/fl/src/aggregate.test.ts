import { describe, expect, it } from 'vitest';
import { StreamingWeightedSum, aggregateWeighted } from './aggregate';
import { OptionError, ShapeError } from './errors';
import { clipUpdateNorm, coordinateMedian, trimmedCount, trimmedMean, updateNorm } from './robust-aggregate';
import { expectClose } from './testing/numeric';
import type { WeightSet } from './types';
import { measureUpdate, validateWeightSet } from './validate-weights';
import { SeededRandom } from './random';
import { createFold4Kernel } from './wasm/fold4-kernel';

function ws(w: number[], b: number[]): WeightSet {
  return [
    { name: 'w', shape: [2, 2], data: Float32Array.from(w) },
    { name: 'b', shape: [2], data: Float32Array.from(b) },
  ];
}

const A = ws([1, 2, 3, 4], [0, 1]);
const B = ws([3, 2, 1, 0], [2, 1]);
const C = ws([5, 5, 5, 5], [10, -10]);

describe('weighted aggregation', () => {
  it('FedAvg weights by sample count; uniform gives every client 1/N', () => {
    const fedavg = aggregateWeighted([
      { weights: A, numSamples: 1 },
      { weights: B, numSamples: 3 },
    ]);
    expectClose(fedavg[0].data, [2.5, 2, 1.5, 1], 1e-7);
    expectClose(fedavg[1].data, [1.5, 1], 1e-7);
    const uniform = aggregateWeighted(
      [
        { weights: A, numSamples: 1 },
        { weights: B, numSamples: 3 },
      ],
      'uniform',
    );
    expectClose(uniform[0].data, [2, 2, 2, 2], 1e-7);
    expect(uniform.map((t) => [t.name, t.shape])).toEqual([
      ['w', [2, 2]],
      ['b', [2]],
    ]);
  });

  it('streams updates in with float64 accumulators', () => {
    const sum = new StreamingWeightedSum();
    // 10,000 updates of 0.1 (not exact in float32) with weight 1: a float32 running sum would drift.
    const tiny: WeightSet = [{ name: 'x', shape: [1], data: Float32Array.of(0.1) }];
    for (let i = 0; i < 10_000; i++) sum.add(tiny, 1);
    sum.add([{ name: 'x', shape: [1], data: Float32Array.of(1e6) }], 1e-6);
    expect(sum.count).toBe(10_001);
    expect(sum.totalWeight).toBeCloseTo(10_000 + 1e-6, 9);
    expect(sum.result()[0].data[0]).toBeCloseTo((10_000 * Math.fround(0.1) + 1) / (10_000 + 1e-6), 6);
  });

  it.each([
    ['the WebAssembly SIMD kernel', true],
    ['the JavaScript loop', false],
  ])('gives the exact weighted mean for any number of updates, folded in batches or not (%s)', (_, simd) => {
    const rng = new SeededRandom(5);
    // Up to 37 updates: full batches of four and every length of short last batch.
    const updates = Array.from({ length: 37 }, () => ws(Array.from(rng.fillNormal(new Float32Array(4))), Array.from(rng.fillNormal(new Float32Array(2)))));
    for (let n = 1; n <= updates.length; n++) {
      const sum = new StreamingWeightedSum({ simd });
      const expectedW = new Float64Array(4);
      const expectedB = new Float64Array(2);
      let total = 0;
      for (let j = 0; j < n; j++) {
        const weight = 1 + (j % 3);
        sum.add(updates[j], weight);
        total += weight;
        updates[j][0].data.forEach((v, i) => (expectedW[i] += weight * v));
        updates[j][1].data.forEach((v, i) => (expectedB[i] += weight * v));
      }
      expect(sum.count).toBe(n);
      const result = sum.result();
      expectClose(result[0].data, Array.from(expectedW, (v) => v / total), 1e-6);
      expectClose(result[1].data, Array.from(expectedB, (v) => v / total), 1e-6);
      // Asking twice gives the same answer: result() folds what is pending and keeps it.
      expectClose(sum.result()[0].data, result[0].data, 0);
    }
  });

  it('the SIMD kernel and the JavaScript loop agree on adapter-sized updates, including chunk and vector tails', () => {
    const rng = new SeededRandom(9);
    // 8192 + 8192 + 11 values: two full chunks and a tail that is not a multiple of four.
    const layout = [
      { name: 'w', shape: [16_395] },
      { name: 'b', shape: [3] },
    ];
    // 21 updates: five batches of four and a short last one.
    const updates: WeightSet[] = Array.from({ length: 21 }, () => layout.map((l) => ({ ...l, data: rng.fillNormal(new Float32Array(l.shape[0])) })));
    expect(createFold4Kernel(), 'Node 20 runs WebAssembly SIMD').not.toBeNull();
    const simd = new StreamingWeightedSum({ simd: true });
    const js = new StreamingWeightedSum({ simd: false });
    updates.forEach((u, i) => {
      simd.add(u, i + 1);
      js.add(u, i + 1);
    });
    const a = simd.result();
    const b = js.result();
    expectClose(a[0].data, b[0].data, 1e-6);
    expectClose(a[1].data, b[1].data, 1e-6);
    const expected = Array.from({ length: 16_395 }, (_, i) => updates.reduce((s, u, j) => s + (j + 1) * u[0].data[i], 0) / 231);
    expectClose(a[0].data, expected, 1e-6);
  });

  it.each([true, false])('reset empties the sum for the next round and keeps its layout (simd %s)', (simd) => {
    const sum = new StreamingWeightedSum({ simd });
    for (let i = 0; i < 6; i++) sum.add(C, 1);
    sum.result();
    sum.add(C, 1); // pending, not folded yet
    sum.reset();
    expect(sum.count).toBe(0);
    expect(sum.totalWeight).toBe(0);
    expect(() => sum.result()).toThrow(OptionError);
    sum.add(A, 1);
    sum.add(B, 3);
    expectClose(sum.result()[0].data, [2.5, 2, 1.5, 1], 1e-7);
    expect(() => sum.add([{ name: 'other', shape: [2, 2], data: new Float32Array(4) }, A[1]], 1)).toThrow(ShapeError);
  });

  it.each([true, false])('copies each update in: the caller may reuse its arrays right after add (simd %s)', (simd) => {
    const sum = new StreamingWeightedSum({ simd });
    const buffer = ws([0, 0, 0, 0], [0, 0]);
    for (const [w, b] of [[[1, 2, 3, 4], [0, 1]], [[3, 2, 1, 0], [2, 1]], [[5, 5, 5, 5], [10, -10]]]) {
      buffer[0].data.set(w);
      buffer[1].data.set(b);
      sum.add(buffer, 1);
    }
    buffer[0].data.fill(Number.NaN);
    expectClose(sum.result()[0].data, [3, 3, 3, 3], 1e-6);
  });

  it('a refused update leaves the sum as it was', () => {
    const sum = new StreamingWeightedSum();
    sum.add(A, 1);
    expect(() => sum.add([{ name: 'w', shape: [2, 2], data: new Float32Array(3) }, A[1]], 1)).toThrow(ShapeError);
    sum.add(B, 1);
    expect(sum.count).toBe(2);
    expectClose(sum.result()[0].data, [2, 2, 2, 2], 1e-7);
  });

  it('rejects mismatched updates, bad weights and empty results', () => {
    const sum = new StreamingWeightedSum();
    expect(() => sum.result()).toThrow(OptionError);
    sum.add(A, 1);
    expect(() => sum.add([A[1], A[0]], 1)).toThrow(/tensor 0 is "b", expected "w"/);
    expect(() => sum.add(ws([1, 2, 3, 4], [1, 2]).slice(0, 1), 1)).toThrow(ShapeError);
    expect(() => sum.add(B, 0)).toThrow(/positive finite/);
    expect(() => aggregateWeighted([])).toThrow(OptionError);
  });
});

describe('robust aggregation', () => {
  it('takes the coordinate-wise median (odd and even counts)', () => {
    const med = coordinateMedian([A, B, C]);
    expectClose(med[0].data, [3, 2, 3, 4], 0);
    expectClose(med[1].data, [2, 1], 0);
    const even = coordinateMedian([A, B]);
    expectClose(even[0].data, [2, 2, 2, 2], 0);
  });

  it('trims the extremes of every coordinate before averaging', () => {
    const D = ws([100, -100, 0, 0], [0, 0]);
    // 4 updates, trim 0.25 → drop 1 low and 1 high per coordinate.
    const tm = trimmedMean([A, B, C, D], 0.25);
    expectClose(tm[0].data, [4, 2, 2, 2], 1e-6);
    expectClose(tm[1].data, [1, 0.5], 1e-6);
    expectClose(trimmedMean([A, B], 0)[0].data, [2, 2, 2, 2], 0);
    expect(() => trimmedMean([A], 0.5)).toThrow(/\[0, 0.5\)/);
  });

  it('trims at least one update from each end when 20 % of the count rounds down to none', () => {
    const D = ws([100, -100, 0, 0], [0, 0]);
    // 4 updates at 0.2: floor(0.8) = 0 would be a plain mean, pulled to 27.25 by D; one from each end is trimmed instead.
    expectClose(trimmedMean([A, B, C, D], 0.2)[0].data, [4, 2, 2, 2], 1e-6);
    expect([1, 2, 3, 4, 5, 9, 10].map((n) => trimmedCount(n, 0.2))).toEqual([0, 0, 1, 1, 1, 1, 2]);
    expect(trimmedCount(4, 0)).toBe(0);
  });

  it('clips the update delta to a maximum L2 norm', () => {
    const ref = ws([0, 0, 0, 0], [0, 0]);
    const upd = ws([3, 0, 0, 0], [4, 0]);
    expect(updateNorm(upd, ref)).toBeCloseTo(5);
    const clipped = clipUpdateNorm(upd, ref, 1);
    expectClose(clipped[0].data, [0.6, 0, 0, 0], 1e-7);
    expectClose(clipped[1].data, [0.8, 0], 1e-7);
    const moved = clipUpdateNorm(ws([4, 1, 1, 1], [5, 1]), ws([1, 1, 1, 1], [1, 1]), 2.5);
    expectClose(moved[0].data, [2.5, 1, 1, 1], 1e-6);
    expectClose(moved[1].data, [3, 1], 1e-6);
    expect(clipUpdateNorm(upd, ref, 10)[0].data).toEqual(upd[0].data);
  });
});

describe('validateWeightSet', () => {
  const spec = [
    { name: 'w', shape: [2, 2] },
    { name: 'b', shape: [2] },
  ];
  it('accepts a well-formed update', () => {
    expect(validateWeightSet(A, spec)).toBeNull();
  });
  it('explains what is wrong with a bad one', () => {
    expect(validateWeightSet('nope', spec)).toMatch(/not a list/);
    expect(validateWeightSet([A[0]], spec)).toMatch(/1 tensors, expected 2/);
    expect(validateWeightSet([A[1], A[0]], spec)).toMatch(/named "b", expected "w"/);
    expect(validateWeightSet([{ ...A[0], shape: [4] }, A[1]], spec)).toMatch(/shape \[4\], expected \[2,2\]/);
    expect(validateWeightSet([{ ...A[0], data: new Float32Array(3) }, A[1]], spec)).toMatch(/3 values/);
    expect(validateWeightSet([{ ...A[0], data: [1, 2, 3, 4] }, A[1]], spec)).toMatch(/not a Float32Array/);
    expect(validateWeightSet([A[0], { ...A[1], data: Float32Array.of(1, Number.NaN) }], spec)).toMatch(/non-finite value \(NaN\) at index 1/);
    expect(validateWeightSet([A[0], { ...A[1], data: Float32Array.of(Infinity, 1) }], spec)).toMatch(/non-finite/);
  });
});

describe('measureUpdate', () => {
  it('gives the L2 distance from the reference, as updateNorm does, for any length', () => {
    const rng = new SeededRandom(3);
    const ref: WeightSet = [
      { name: 'w', shape: [1027], data: rng.fillNormal(new Float32Array(1027)) },
      { name: 'b', shape: [3], data: Float32Array.of(1, 2, 3) },
    ];
    const upd = ref.map((t) => ({ ...t, data: t.data.map((v) => v + rng.normal()) }));
    const measured = measureUpdate(upd, ref);
    expect(measured.ok).toBe(true);
    expect(measured.ok && measured.norm).toBeCloseTo(updateNorm(upd, ref), 9);
    expect(measureUpdate(ref, ref)).toEqual({ ok: true, norm: 0 });
  });
  it('refuses what validateWeightSet refuses, naming the first non-finite value', () => {
    expect(measureUpdate([A[0]], A)).toEqual({ ok: false, problem: expect.stringMatching(/1 tensors, expected 2/) });
    expect(measureUpdate([{ ...A[0], shape: [4] }, A[1]], A)).toMatchObject({ ok: false, problem: expect.stringMatching(/shape \[4\]/) });
    expect(measureUpdate([A[0], { ...A[1], data: Float32Array.of(1, Number.NaN) }], A)).toEqual({ ok: false, problem: 'tensor "b" has a non-finite value (NaN) at index 1' });
    expect(measureUpdate([{ ...A[0], data: Float32Array.of(0, 0, -Infinity, 0) }, A[1]], A)).toMatchObject({ ok: false, problem: expect.stringMatching(/"w" has a non-finite value \(-Infinity\) at index 2/) });
    // The largest float32 values, far from the reference: a large but finite distance, not an overflow.
    const huge = A.map((t) => ({ ...t, data: t.data.map((_, i) => (i % 2 ? 3.4e38 : -3.4e38)) }));
    const far = measureUpdate(huge, A);
    expect(far.ok && Number.isFinite(far.norm) && far.norm > 1e38).toBe(true);
  });
});
