import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Where Debian's dataset-fashion-mnist package puts the IDX files (FASHION_MNIST_DIR overrides it). */
const FASHION_MNIST_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

/**
 * The first `count` Fashion-MNIST training images as [count, 28, 28, 1] pixels in [0, 1] with their labels,
 * or null where the dataset is not installed (tests then use synthetic images).
 */
export function fashionMnistSample(count: number): { pixels: Float32Array; labels: Int32Array } | null {
  const images = join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz');
  const labels = join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz');
  if (!existsSync(images) || !existsSync(labels)) return null;
  const imageBytes = gunzipSync(readFileSync(images));
  const labelBytes = gunzipSync(readFileSync(labels));
  // IDX headers: magic, counts (and rows, cols for images), big-endian 32-bit; then the bytes.
  const pixels = Float32Array.from(imageBytes.subarray(16, 16 + count * 784), (v) => v / 255);
  return { pixels, labels: Int32Array.from(labelBytes.subarray(8, 8 + count)) };
}
