import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx } from './idx';
import { DatasetMissingError, FASHION_MNIST_DEBIAN_DIR, loadFashionMnist } from './load';
import { FASHION_MNIST_CLASSES } from './classes';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A tiny Fashion-MNIST-shaped dataset: image i is filled with the value 10*i, label i % 10. */
function writeSyntheticDataset(opts: { gzip: boolean; trainCount?: number; truncateTrainImages?: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fmnist-'));
  dirs.push(dir);
  const write = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, opts.gzip ? `${name}.gz` : name), opts.gzip ? gzipSync(bytes) : bytes);
  const split = (prefix: string, n: number, truncate = false) => {
    const pixels = new Uint8Array(n * 28 * 28);
    for (let i = 0; i < n; i++) pixels.fill(10 * i, i * 784, (i + 1) * 784);
    const images = encodeIdx([n, 28, 28], pixels);
    write(`${prefix}-images-idx3-ubyte`, truncate ? images.subarray(0, images.length - 100) : images);
    write(`${prefix}-labels-idx1-ubyte`, encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => i % 10)));
  };
  split('train', opts.trainCount ?? 12, opts.truncateTrainImages);
  split('t10k', 5);
  return dir;
}

describe('parseIdx', () => {
  it('reads the big-endian header and the data', () => {
    const parsed = parseIdx(encodeIdx([2, 3, 4], Uint8Array.from({ length: 24 }, (_, i) => i)), 'x');
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect([...parsed.data]).toEqual(Array.from({ length: 24 }, (_, i) => i));
    // 300 needs two header bytes: checks the byte order.
    expect(parseIdx(encodeIdx([300], new Uint8Array(300)), 'x').dims).toEqual([300]);
  });

  it('explains truncated, foreign and oversized files', () => {
    const good = encodeIdx([10, 2, 2], new Uint8Array(40));
    expect(() => parseIdx(good.subarray(0, 30), 'f.idx')).toThrow(/f\.idx: truncated data: dims \[10, 2, 2\] need 40 bytes after the header, the file has 14/);
    expect(() => parseIdx(good.subarray(0, 7), 'f.idx')).toThrow(/truncated header/);
    expect(() => parseIdx(gzipSync(good), 'f.idx')).toThrow(/not an IDX file.*gzip/);
    const floats = good.slice();
    floats[2] = 0x0d;
    expect(() => parseIdx(floats, 'f.idx')).toThrow(/element type 0xd/);
    expect(() => parseIdx(new Uint8Array([...good, 1, 2]), 'f.idx')).toThrow(/2 unexpected trailing bytes/);
  });
});

describe('loadFashionMnist', () => {
  it.each([true, false])('loads gzip=%s IDX files as 28x28 RGB with grey replicated', async (gzip) => {
    const { train, test } = await loadFashionMnist({ dir: writeSyntheticDataset({ gzip }) });
    expect(train.labels.length).toBe(12);
    expect(test.labels.length).toBe(5);
    expect([train.width, train.height]).toEqual([28, 28]);
    expect(train.images.length).toBe(12 * 28 * 28 * 3);
    expect([...train.labels]).toEqual(Array.from({ length: 12 }, (_, i) => i % 10));
    expect(train.classNames).toEqual(FASHION_MNIST_CLASSES);
    // Image 3 is grey level 30 everywhere, in all three channels.
    const img3 = train.images.subarray(3 * 2352, 4 * 2352);
    expect(img3.every((v) => v === 30)).toBe(true);
  });

  it('reports progress', async () => {
    const seen: string[] = [];
    await loadFashionMnist({ dir: writeSyntheticDataset({ gzip: true }), onProgress: (p) => seen.push(`${p.done}/${p.total}`) });
    expect(seen).toEqual(['0/2', '1/2', '2/2']);
  });

  it('names the damaged file when images are truncated', async () => {
    const dir = writeSyntheticDataset({ gzip: true, truncateTrainImages: true });
    await expect(loadFashionMnist({ dir })).rejects.toThrow(/train-images-idx3-ubyte\.gz: truncated data/);
  });

  it('tells how to get the dataset when it is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fmnist-empty-'));
    dirs.push(dir);
    const err = await loadFashionMnist({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetMissingError);
    const msg = (err as Error).message;
    expect(msg).toContain(join(dir, 'train-images-idx3-ubyte'));
    expect(msg).toContain('dataset-fashion-mnist');
    expect(msg).toContain('/usr/share/datasets/fashion-mnist');
    expect(msg).toContain('FASHION_MNIST_DIR');
    expect(msg).toContain('`dir`');
  });

  const real = existsSync(join(FASHION_MNIST_DEBIAN_DIR, 'train-images-idx3-ubyte.gz'));
  const realTitle = real
    ? `reads the real files in ${FASHION_MNIST_DEBIAN_DIR}`
    : `reads the real files (skipped: ${FASHION_MNIST_DEBIAN_DIR} is absent; install the Debian package dataset-fashion-mnist)`;
  it.skipIf(!real)(realTitle, async () => {
    const { train, test } = await loadFashionMnist({ dir: FASHION_MNIST_DEBIAN_DIR });
    expect(train.labels.length).toBe(60_000);
    expect(test.labels.length).toBe(10_000);
    const perClass = new Array(10).fill(0);
    for (const y of train.labels) perClass[y]++;
    expect(perClass).toEqual(new Array(10).fill(6000));
    expect(train.images.length).toBe(60_000 * 28 * 28 * 3);
    // Clothes on a black background: corners dark, centres brighter on average.
    let corner = 0;
    let centre = 0;
    for (let i = 0; i < 1000; i++) {
      corner += train.images[i * 2352];
      centre += train.images[i * 2352 + (14 * 28 + 14) * 3];
    }
    expect(centre).toBeGreaterThan(corner * 5);
  });
});
