import { describe, expect, it } from 'vitest';
import { longTailClassCounts, sampleLongTail } from '@clipfed/data/browser-safe';
import { runConfigSchema } from '@clipfed/protocol';
import { balancedTestIndices, buildFashionMnistLtTask, longTailSubset } from './fashion-mnist-task';
import { TaskConfigError } from './emoji-task';

/** A synthetic "Fashion-MNIST": `perClass` 2x2 images of each of 10 classes, pixel value = index mod 256. */
function fakeSet(perClass: number) {
  const n = perClass * 10;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  const images = Uint8Array.from({ length: n * 12 }, (_, i) => Math.floor(i / 12) % 256);
  return { images, labels, width: 2, height: 2, classNames: ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'] };
}

describe('Fashion-MNIST-LT task', () => {
  it('samples exactly like sampleLongTail at full size, and a steeper tail keeps a prefix of each class', () => {
    const labels = fakeSet(600).labels;
    const full = longTailSubset(labels, 10, 600, 100, 7);
    expect(Array.from(full.indices)).toEqual(Array.from(sampleLongTail(labels, 10, 100, 7)));
    const if10 = new Set(longTailSubset(labels, 10, 600, 10, 7).indices);
    expect(Array.from(full.indices).every((i) => if10.has(i))).toBe(true);
    const small = longTailSubset(labels, 10, 300, 10, 7);
    expect(small.counts).toEqual(longTailClassCounts(300, 10, 10));
    expect([small.counts[0], small.counts[9], small.indices.length]).toEqual([300, 30, small.counts.reduce((a, b) => a + b, 0)]);
  });

  it('takes the same balanced test images whatever the seed', () => {
    const labels = fakeSet(50).labels;
    const picked = balancedTestIndices(labels, 10, 3);
    expect(picked).toHaveLength(30);
    expect(Array.from(picked.slice(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => balancedTestIndices(labels, 10, 51)).toThrow(TaskConfigError);
  });

  it('splits the long tail into equal client shards, with train counts and scaled shot thresholds', () => {
    const config = runConfigSchema.parse({ dataset: 'fashion-mnist-lt', fashionMnistLt: { imbalanceFactor: 10, headClassSize: 300, clientShards: 5, testPerClass: 4 }, seed: 3 });
    const task = buildFashionMnistLtTask(config, { train: fakeSet(600), test: fakeSet(20) });
    const counts = longTailClassCounts(300, 10, 10);
    const total = counts.reduce((a, b) => a + b, 0);
    const sizes = task.shards.map((s) => s.labels.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(task.trainClassCounts).toEqual(counts);
    expect(task.shotThresholds).toEqual({ manyAbove: 50, fewBelow: 10 });
    expect(task.evaluationSets).toHaveLength(1);
    expect(task.evaluationSets[0]).toMatchObject({ heldOut: true, name: 'test (balanced, 40)' });
    expect(task.prompts[9]).toBe('a picture of a ankle boot');
  });

  it('explains a partition it cannot make', () => {
    const config = runConfigSchema.parse({ dataset: 'fashion-mnist-lt', fashionMnistLt: { headClassSize: 20, imbalanceFactor: 10, clientShards: 1000 } });
    expect(() => buildFashionMnistLtTask(config, { train: fakeSet(600), test: fakeSet(20) })).toThrow(/too few for 1000 client shards/);
  });
});
