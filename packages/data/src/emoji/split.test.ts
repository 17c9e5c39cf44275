import { describe, expect, it } from 'vitest';
import { buildEmojiCatalog } from './catalog';
import { EMOJI_CLASSES } from './classes';
import { splitConcepts, SPLIT_PRETRAIN, SPLIT_TEST, SPLIT_TRAIN, SPLIT_VAL } from './split';

describe('splitConcepts', () => {
  const catalog = buildEmojiCatalog();
  const split = splitConcepts(catalog);

  it('is deterministic (seed 0) and changes with the seed', () => {
    expect([...splitConcepts(catalog).entries()]).toEqual([...split.entries()]);
    expect([...splitConcepts(catalog, { seed: 1 }).entries()]).not.toEqual([...split.entries()]);
  });

  it('reserves ~40 % of each class for pretraining and splits the rest 60/20/20', () => {
    for (const spec of EMOJI_CLASSES) {
      const members = catalog.filter((c) => c.className === spec.name).map((c) => split.get(c.name)!);
      const n = members.length;
      const count = (code: number) => members.filter((x) => x === code).length;
      const m = n - Math.round(0.4 * n);
      expect(count(SPLIT_PRETRAIN)).toBe(Math.round(0.4 * n));
      expect(count(SPLIT_TRAIN)).toBe(Math.trunc(0.6 * m));
      expect(count(SPLIT_VAL)).toBe(Math.trunc(0.2 * m));
      expect(count(SPLIT_TEST)).toBe(m - Math.trunc(0.6 * m) - Math.trunc(0.2 * m));
      expect(count(SPLIT_TEST)).toBeGreaterThan(0);
    }
  });

  it('does not depend on concepts of other classes for the benchmark split', () => {
    // The benchmark split of a class follows from which of its concepts are benchmark ones.
    const again = splitConcepts(catalog);
    for (const c of catalog) expect(again.get(c.name)).toBe(split.get(c.name));
  });
});
