import { describe, expect, it } from 'vitest';
import { StreamingWeightedSum } from '@clipfed/fl';
import { runConfigSchema } from '@clipfed/protocol';
import { admittedWeight, foldOwnImageUploads, updateNormBound } from './update-admission';

const one = (v: number) => [{ name: 'w', shape: [1], data: Float32Array.of(v) }];

describe('update admission', () => {
  it('a claimed count weighs at most the assigned shard, or the per-run cap on own images', () => {
    expect(admittedWeight(10_000_000, false, 48, 200)).toBe(48);
    expect(admittedWeight(30, false, 48, 200)).toBe(30);
    expect(admittedWeight(10_000_000, true, 48, 200)).toBe(200);
  });

  it('the default bound is a multiple of the adapter norm; an absolute bound overrides it', () => {
    expect(updateNormBound(runConfigSchema.parse({}), one(-3))).toBeCloseTo(12, 6);
    expect(updateNormBound(runConfigSchema.parse({ maxUpdateNorm: 7 }), one(-3))).toBe(7);
  });

  it('own-image uploads hold at most maxShare of the round, the cap counted in the total', () => {
    const sum = new StreamingWeightedSum();
    sum.add(one(0), 10);
    sum.add(one(0), 10);
    // c = 0.5 (20 + c) gives c = 20: the attacker holds exactly half.
    const [used] = foldOwnImageUploads(sum, [{ weights: one(1), weight: 1000 }], 0.5);
    expect(used).toBeCloseTo(20, 6);
    expect(sum.result()[0].data[0]).toBeCloseTo(0.5, 6);
  });

  it('with only own-image uploads and a share that cannot hold for all, they weigh equally, a lone one at its own count', () => {
    const alone = new StreamingWeightedSum();
    expect(foldOwnImageUploads(alone, [{ weights: one(2), weight: 8 }], 0.5)).toEqual([8]);
    const sum = new StreamingWeightedSum();
    expect(foldOwnImageUploads(sum, [{ weights: one(0), weight: 5 }, { weights: one(3), weight: 1000 }], 0.5)).toEqual([5, 5]);
    expect(sum.result()[0].data[0]).toBeCloseTo(1.5, 6);
  });
});
