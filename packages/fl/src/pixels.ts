import { ShapeError } from './errors';

/**
 * The images a pixel-reading client model (CLIP2FL's student) is given: their size, channels and per-channel
 * normalisation after scaling to [0, 1]. A run has one, chosen by its dataset, so that every client and the
 * server's evaluator feed the model the same input whatever size the images arrived in.
 */
export interface PixelFormat {
  width: number;
  height: number;
  /** 1: grey (the mean of R, G and B); 3: RGB. */
  channels: 1 | 3;
  /** Per channel (`channels` values): x ← (x/255 − mean) / std. */
  mean: number[];
  std: number[];
}

/**
 * Fashion-MNIST as the student reads it: 28×28, one grey channel, normalised with the training set's statistics
 * (mean 0.2860, std 0.3530, as torchvision-style pipelines normalise it; CLIP2FL normalises CIFAR the same way with
 * CIFAR's). The dataset is grey: the RGB shards repeat one value three times for CLIP, so one channel carries all of
 * it at a third of the stem convolution's cost and memory.
 */
export const FASHION_MNIST_PIXELS: PixelFormat = { width: 28, height: 28, channels: 1, mean: [0.286], std: [0.353] };

/** Colour images at their own size, each channel mapped from [0, 255] to [−1, 1]. */
export function rgbPixelFormat(width: number, height: number): PixelFormat {
  return { width, height, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
}

export function validatePixelFormat(f: PixelFormat): void {
  if (!Number.isInteger(f.width) || f.width < 1 || !Number.isInteger(f.height) || f.height < 1) throw new ShapeError(`pixel format size must be positive integers, got ${f.width}×${f.height}`);
  if (f.channels !== 1 && f.channels !== 3) throw new ShapeError(`pixel format channels must be 1 or 3, got ${f.channels}`);
  if (f.mean.length !== f.channels || f.std.length !== f.channels) throw new ShapeError(`pixel format needs ${f.channels} means and stds, got ${f.mean.length} and ${f.std.length}`);
  if (f.std.some((s) => !(s > 0))) throw new ShapeError('pixel format stds must be positive');
}

/**
 * RGB bytes [n, height, width, 3] (a shard, an evaluation set, a volunteer's own images) → the model's input
 * [n, format.height, format.width, format.channels], row-major NHWC: resized when the size differs (a box filter
 * when shrinking, so a volunteer's 224×224 photo becomes a fair 28×28 thumbnail; bilinear when enlarging),
 * averaged to grey for one channel, then normalised. The one preprocessing that the tab, a Node client and the
 * server's evaluator all use.
 */
export function preprocessPixels(rgb: Uint8Array, width: number, height: number, format: PixelFormat): Float32Array {
  validatePixelFormat(format);
  const per = width * height * 3;
  if (!(width > 0 && height > 0) || rgb.length % per !== 0) throw new ShapeError(`${rgb.length} bytes is not a whole number of ${width}×${height} RGB images`);
  const n = rgb.length / per;
  const { width: W, height: H, channels: C } = format;
  const out = new Float32Array(n * H * W * C);
  const scale = format.std.map((s) => 1 / (255 * s));
  const shift = format.mean.map((m, c) => m / format.std[c]);
  // Separable resampling weights per output column and row (the identity when the size matches).
  const xs = axisWeights(width, W);
  const ys = axisWeights(height, H);
  const row = new Float64Array(width * 3);
  let o = 0;
  for (let img = 0; img < n; img++) {
    const base = img * per;
    for (let y = 0; y < H; y++) {
      // This output row as a weighted sum of source rows, all channels, at the source's width.
      row.fill(0);
      for (let t = 0; t < ys.index[y].length; t++) {
        const src = base + ys.index[y][t] * width * 3;
        const wy = ys.weight[y][t];
        for (let k = 0; k < width * 3; k++) row[k] += wy * rgb[src + k];
      }
      for (let x = 0; x < W; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let t = 0; t < xs.index[x].length; t++) {
          const at = xs.index[x][t] * 3;
          const wx = xs.weight[x][t];
          r += wx * row[at];
          g += wx * row[at + 1];
          b += wx * row[at + 2];
        }
        if (C === 1) out[o++] = ((r + g + b) / 3) * scale[0] - shift[0];
        else {
          out[o++] = r * scale[0] - shift[0];
          out[o++] = g * scale[1] - shift[1];
          out[o++] = b * scale[2] - shift[2];
        }
      }
    }
  }
  return out;
}

/**
 * Source indices and weights (summing to 1) of each of `to` output positions along an axis of `from`: the
 * identity for equal sizes, the covered area when shrinking (a box filter: every source pixel counts), linear
 * interpolation between the nearest centres when enlarging.
 */
function axisWeights(from: number, to: number): { index: number[][]; weight: number[][] } {
  const index: number[][] = [];
  const weight: number[][] = [];
  const ratio = from / to;
  for (let i = 0; i < to; i++) {
    if (from === to) {
      index.push([i]);
      weight.push([1]);
    } else if (ratio > 1) {
      const start = i * ratio;
      const end = (i + 1) * ratio;
      const idx: number[] = [];
      const w: number[] = [];
      for (let s = Math.floor(start); s < Math.min(from, Math.ceil(end)); s++) {
        const cover = Math.min(end, s + 1) - Math.max(start, s);
        if (cover > 1e-9) {
          idx.push(s);
          w.push(cover / ratio);
        }
      }
      index.push(idx);
      weight.push(w);
    } else {
      const src = Math.min(Math.max((i + 0.5) * ratio - 0.5, 0), from - 1);
      const lo = Math.floor(src);
      const hi = Math.min(lo + 1, from - 1);
      index.push([lo, hi]);
      weight.push([1 - (src - lo), src - lo]);
    }
  }
  return { index, weight };
}
