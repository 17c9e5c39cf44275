import { describe, expect, it } from 'vitest';
import { SeededRandom } from './random';

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
  });

  it('draws uniform values in [0, 1) and unbiased integers', () => {
    const rng = new SeededRandom(1);
    const counts = new Array(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 50_000; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) outside++;
      counts[rng.int(10)]++;
    }
    expect(outside).toBe(0);
    for (const c of counts) expect(Math.abs(c - 5000)).toBeLessThan(300);
  });

  it('draws normals and gammas with the right moments', () => {
    const rng = new SeededRandom(2);
    const n = 40_000;
    const normals = Array.from({ length: n }, () => rng.normal());
    const mean = normals.reduce((s, x) => s + x, 0) / n;
    const variance = normals.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    for (const shape of [0.5, 1, 3.5]) {
      const g = Array.from({ length: n }, () => rng.gamma(shape));
      const gm = g.reduce((s, x) => s + x, 0) / n;
      expect(Math.abs(gm - shape) / shape).toBeLessThan(0.04); // Gamma(k, 1) has mean k
      expect(Math.min(...g)).toBeGreaterThanOrEqual(0);
    }
  });

  it('draws Dirichlet vectors on the simplex whose concentration follows alpha', () => {
    const rng = new SeededRandom(3);
    const spread = (alpha: number) => {
      let maxShare = 0;
      for (let t = 0; t < 500; t++) {
        const p = rng.dirichlet(new Array(10).fill(alpha));
        expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
        maxShare += Math.max(...p);
      }
      return maxShare / 500;
    };
    // Small alpha concentrates the mass on few components; large alpha spreads it evenly.
    expect(spread(0.1)).toBeGreaterThan(0.6);
    expect(spread(100)).toBeLessThan(0.15);
  });

  it('shuffles in place and makes permutations', () => {
    const rng = new SeededRandom(4);
    const a = Array.from({ length: 100 }, (_, i) => i);
    const same = rng.shuffle(a);
    expect(same).toBe(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const p = rng.permutation(1000);
    expect(new Set(p).size).toBe(1000);
    expect(Math.min(...p)).toBe(0);
    expect(Math.max(...p)).toBe(999);
  });

  it('rejects bad arguments', () => {
    const rng = new SeededRandom(5);
    expect(() => rng.int(0)).toThrow(/integer/);
    expect(() => rng.gamma(0)).toThrow(/shape/);
    expect(() => new SeededRandom(Number.NaN)).toThrow(/seed/);
  });
});
