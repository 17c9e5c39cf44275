import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipModel } from '@clipfed/clip';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { writeFixtureClipModel } from '@clipfed/clip/testing';
import { encodeRgbImages } from '@clipfed/clip';
import { FeatureStoreError, ImageFeatureStore } from './image-feature-store';

let dir: string;
let model: ClipModel;
const W = 8;
const per = W * W * 3;
const image = (k: number) => Uint8Array.from({ length: per }, (_, i) => (i * 7 + k * 31) % 256);
const concat = (...xs: Uint8Array[]) => {
  const out = new Uint8Array(xs.length * per);
  xs.forEach((x, i) => out.set(x, i * per));
  return out;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipfed-feature-store-'));
  await writeFixtureClipModel(join(dir, 'model'), { embedDim: 16, imageSize: 32 });
  model = await loadClipModelFromDir(join(dir, 'model'));
});

afterAll(async () => {
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('the per-image feature store of simulated clients', () => {
  it('gives the model features, encodes an image once, and keeps them across reopenings', async () => {
    const storeDir = join(dir, 'store');
    const store = await ImageFeatureStore.open(storeDir, 16);
    const first = concat(image(1), image(2), image(1));
    const features = await store.encode(model, first, W, W);
    expect(Array.from(features)).toEqual(Array.from(await encodeRgbImages(model, first, W, W)));
    expect(store.size).toBe(2);

    // A second shard sharing one image adds only the new one, as one more file.
    await store.encode(model, concat(image(2), image(3)), W, W);
    expect(store.size).toBe(3);
    expect((await readdir(storeDir)).filter((f) => f.endsWith('.feat'))).toHaveLength(2);

    const reopened = await ImageFeatureStore.open(storeDir, 16);
    expect(reopened.size).toBe(3);
    const again = await reopened.encode(model, concat(image(3)), W, W);
    expect(Array.from(again)).toEqual(Array.from(await encodeRgbImages(model, image(3), W, W)));
    expect((await readdir(storeDir)).filter((f) => f.endsWith('.feat'))).toHaveLength(2);
  });

  it('refuses a model of another feature size', async () => {
    const store = await ImageFeatureStore.open(join(dir, 'other'), 32);
    await expect(store.encode(model, image(1), W, W)).rejects.toThrow(FeatureStoreError);
  });
});
