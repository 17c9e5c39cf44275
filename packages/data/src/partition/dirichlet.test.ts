import { describe, expect, it } from 'vitest';
import { cutEqualParts, dirichletPartition } from './dirichlet';
import { sampleLongTail } from './long-tail';

// A CIFAR-10-shaped training set: 5000 images per class.
const cifarLabels = Int32Array.from({ length: 50_000 }, (_, i) => i % 10);
const lt100 = sampleLongTail(cifarLabels, 10, 100, 7);

function labelHistogram(part: Int32Array, labels: Int32Array, numClasses: number): number[] {
  const h = new Array(numClasses).fill(0);
  for (const i of part) h[labels[i]]++;
  return h.map((x) => x / part.length);
}

/** Mean total-variation distance between each client's label distribution and the pooled one. */
function meanDistanceFromPooled(parts: Int32Array[], labels: Int32Array): number {
  const pooled = labelHistogram(Int32Array.from(parts.flatMap((p) => [...p])), labels, 10);
  const d = parts.map((p) => labelHistogram(p, labels, 10).reduce((s, q, c) => s + Math.abs(q - pooled[c]), 0) / 2);
  return d.reduce((s, x) => s + x, 0) / d.length;
}

describe('dirichletPartition (CReFF procedure)', () => {
  const parts = dirichletPartition(lt100, cifarLabels, { numClients: 20, alpha: 0.5, seed: 7 });

  it('gives equal client sizes: CIFAR-10 IF100 -> 6 clients of 621 and 14 of 620', () => {
    expect(lt100.length).toBe(12406);
    expect(parts.map((p) => p.length)).toEqual([...new Array(6).fill(621), ...new Array(14).fill(620)]);
  });

  it('is a partition: disjoint and covering every sample', () => {
    const all = parts.flatMap((p) => [...p]);
    expect(all.length).toBe(lt100.length);
    expect(new Set(all).size).toBe(lt100.length);
    expect([...all].sort((a, b) => a - b)).toEqual([...lt100].sort((a, b) => a - b));
  });

  it('is deterministic for a seed', () => {
    const again = dirichletPartition(lt100, cifarLabels, { numClients: 20, alpha: 0.5, seed: 7 });
    expect(again).toEqual(parts);
    const other = dirichletPartition(lt100, cifarLabels, { numClients: 20, alpha: 0.5, seed: 8 });
    expect(other).not.toEqual(parts);
  });

  it('is non-IID at alpha 0.5 and close to IID at a large alpha', () => {
    const skew = meanDistanceFromPooled(parts, cifarLabels);
    const iid = meanDistanceFromPooled(dirichletPartition(lt100, cifarLabels, { numClients: 20, alpha: 1000, seed: 7 }), cifarLabels);
    expect(skew).toBeGreaterThan(0.25);
    expect(iid).toBeLessThan(0.1);
    // Some client misses a class that is present overall.
    expect(parts.some((p) => labelHistogram(p, cifarLabels, 10).some((q) => q === 0))).toBe(true);
  });

  it('handles a client count that is not a multiple of the group size', () => {
    const p = dirichletPartition(lt100, cifarLabels, { numClients: 7, alpha: 0.5, seed: 1, groupSize: 3 });
    expect(p.length).toBe(7);
    expect(new Set(p.flatMap((x) => [...x])).size).toBe(lt100.length);
  });

  it('rejects impossible requests with a clear message', () => {
    expect(() => dirichletPartition(Int32Array.from([0, 1]), cifarLabels, { numClients: 5, alpha: 0.5, seed: 0 })).toThrow(/cannot split 2 samples/);
    expect(() => dirichletPartition(lt100, cifarLabels, { numClients: 20, alpha: 0, seed: 0 })).toThrow(/alpha/);
  });
});

describe('cutEqualParts', () => {
  it('gives the first N mod k parts one extra item', () => {
    expect(cutEqualParts(Int32Array.from({ length: 10 }, (_, i) => i), 3).map((p) => [...p])).toEqual([[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  });
});
