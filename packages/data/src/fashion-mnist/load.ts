import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageSet, ProgressFn } from '../image-set';
import { FASHION_MNIST_CLASSES } from './classes';
import { IdxFormatError, maybeGunzip, parseIdx } from './idx';


export const FASHION_MNIST_ENV = 'FASHION_MNIST_DIR';
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

export class DatasetMissingError extends Error {
  override name = 'DatasetMissingError';
}

/** $FASHION_MNIST_DIR when set, else where Debian's `dataset-fashion-mnist` package installs the files. */
export function defaultFashionMnistDir(): string {
  return process.env[FASHION_MNIST_ENV] || FASHION_MNIST_DEBIAN_DIR;
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

function missingMessage(dir: string, file: string): string {
  return [
    `Fashion-MNIST not found: ${join(dir, file)}(.gz) does not exist.`,
    `Install it with \`sudo apt-get install dataset-fashion-mnist\` (Debian/Ubuntu; files go to ${FASHION_MNIST_DEBIAN_DIR}),`,
    `or put the four *-ubyte(.gz) files from https://github.com/zalandoresearch/fashion-mnist in a folder and pass it`,
    `as the \`dir\` option or the ${FASHION_MNIST_ENV} environment variable.`,
  ].join(' ');
}

function locate(dir: string, file: string): string {
  for (const candidate of [join(dir, `${file}.gz`), join(dir, file)]) if (existsSync(candidate)) return candidate;
  throw new DatasetMissingError(missingMessage(dir, file));
}

async function readIdx(path: string) {
  return parseIdx(await maybeGunzip(new Uint8Array(await readFile(path)), path), path);
}

async function readSplit(imagesPath: string, labelsPath: string): Promise<ImageSet> {
  const images = await readIdx(imagesPath);
  const labels = await readIdx(labelsPath);
  if (images.dims.length !== 3) throw new IdxFormatError(`${imagesPath}: expected 3 dims [n, rows, cols], got [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1) throw new IdxFormatError(`${labelsPath}: expected 1 dim [n], got [${labels.dims.join(', ')}]`);
  const [n, height, width] = images.dims;
  if (labels.dims[0] !== n) throw new IdxFormatError(`${labelsPath} has ${labels.dims[0]} labels but ${imagesPath} has ${n} images`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels.data[i];
    if (y >= FASHION_MNIST_CLASSES.length) throw new IdxFormatError(`${labelsPath}: label ${y} at ${i} is not a Fashion-MNIST class (0..9)`);
    out[i] = y;
  }
  return { images: greyToRgb(images.data), labels: out, width, height, classNames: FASHION_MNIST_CLASSES };
}

/** Replicates each grey byte into R, G and B. */
export function greyToRgb(grey: Uint8Array): Uint8Array {
  const rgb = new Uint8Array(grey.length * 3);
  for (let i = 0, o = 0; i < grey.length; i++, o += 3) {
    const v = grey[i];
    rgb[o] = v;
    rgb[o + 1] = v;
    rgb[o + 2] = v;
  }
  return rgb;
}

/**
 * Loads Fashion-MNIST (60k train, 10k test, 28x28) from IDX files, gzip-compressed or not, as RGB
 * (grey replicated). Throws DatasetMissingError with install instructions when the files are absent.
 */
export async function loadFashionMnist(opts: { dir?: string; onProgress?: ProgressFn } = {}): Promise<{ train: ImageSet; test: ImageSet }> {
  const dir = opts.dir ?? defaultFashionMnistDir();
  const paths = {
    trainImages: locate(dir, FILES.trainImages),
    trainLabels: locate(dir, FILES.trainLabels),
    testImages: locate(dir, FILES.testImages),
    testLabels: locate(dir, FILES.testLabels),
  };
  opts.onProgress?.({ stage: 'fashion-mnist', done: 0, total: 2 });
  const train = await readSplit(paths.trainImages, paths.trainLabels);
  opts.onProgress?.({ stage: 'fashion-mnist', done: 1, total: 2 });
  const test = await readSplit(paths.testImages, paths.testLabels);
  opts.onProgress?.({ stage: 'fashion-mnist', done: 2, total: 2 });
  return { train, test };
}
