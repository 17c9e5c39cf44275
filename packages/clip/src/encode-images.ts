import type { ClipModel } from './model';

/** Turns RGB images [n, h, w, 3] into raw CLIP features [n, d]; encodeRgbImages unless a platform caches per image. */
export type ImageEncoder = (
  model: ClipModel,
  rgb: Uint8Array,
  width: number,
  height: number,
  opts: { onProgress?: (p: EncodeProgress) => void },
) => Promise<Float32Array>;

export interface EncodeProgress {
  done: number;
  total: number;
}

/**
 * Encodes RGB images [n, h, w, 3] with the CLIP image tower in small batches, yielding between batches so a
 * browser tab stays responsive and socket heartbeats keep flowing. Returns raw features [n, embedDim].
 */
export async function encodeRgbImages(
  model: ClipModel,
  rgb: Uint8Array,
  width: number,
  height: number,
  opts: { batchSize?: number; onProgress?: (p: EncodeProgress) => void } = {},
): Promise<Float32Array> {
  const n = rgb.length / (width * height * 3);
  if (!Number.isInteger(n)) throw new Error(`image bytes (${rgb.length}) are not a whole number of ${width}x${height} RGB images`);
  const batchSize = opts.batchSize ?? 16;
  const out = new Float32Array(n * model.embedDim);
  const rgba = new Uint8Array(width * height * 4);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    let pixels: Float32Array | null = null;
    for (let k = 0; k < count; k++) {
      const src = rgb.subarray((start + k) * width * height * 3, (start + k + 1) * width * height * 3);
      for (let p = 0, q = 0; p < src.length; p += 3, q += 4) {
        rgba[q] = src[p];
        rgba[q + 1] = src[p + 1];
        rgba[q + 2] = src[p + 2];
        rgba[q + 3] = 255;
      }
      const chw = model.preprocess({ width, height, data: rgba });
      pixels ??= new Float32Array(count * chw.length);
      pixels.set(chw, k * chw.length);
    }
    out.set(await model.encodeImages(pixels!, count), start * model.embedDim);
    opts.onProgress?.({ done: start + count, total: n });
    await new Promise((r) => setTimeout(r, 0));
  }
  return out;
}
