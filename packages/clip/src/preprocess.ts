import { channelsOf, type RgbaImage } from './image/rgba-image';
import { resampleU8 } from './image/resample';
import type { PreprocessorConfig, Triple } from './preprocessor-config';

export { parsePreprocessorConfig, PreprocessorConfigError, CLIP_IMAGE_MEAN, CLIP_IMAGE_STD } from './preprocessor-config';
export type { PreprocessorConfig } from './preprocessor-config';

export interface PreprocessOptions {
  /**
   * Composite transparent pixels onto this RGB background (0-255). Default: drop alpha as
   * Pillow's `convert('RGB')` does, so a transparent pixel keeps whatever RGB it stores.
   */
  background?: Triple;
}

/** Any of grey / RGB / RGBA bytes to interleaved RGB bytes. */
function toRgb(img: RgbaImage, background: Triple | undefined): Uint8Array {
  const channels = channelsOf(img);
  const n = img.width * img.height;
  const src = img.data;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (channels === 1) {
      rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = src[i];
    } else if (channels === 3) {
      rgb[i * 3] = src[i * 3];
      rgb[i * 3 + 1] = src[i * 3 + 1];
      rgb[i * 3 + 2] = src[i * 3 + 2];
    } else if (background) {
      const a = src[i * 4 + 3] / 255;
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(src[i * 4 + c] * a + background[c] * (1 - a));
    } else {
      rgb[i * 3] = src[i * 4];
      rgb[i * 3 + 1] = src[i * 4 + 1];
      rgb[i * 3 + 2] = src[i * 4 + 2];
    }
  }
  return rgb;
}

/** Output size of a shortest-edge resize: the long side is truncated, like HF and torchvision. */
export function shortestEdgeSize(width: number, height: number, shortestEdge: number): { width: number; height: number } {
  if (width <= height) return { width: shortestEdge, height: Math.trunc((shortestEdge * height) / width) };
  return { width: Math.trunc((shortestEdge * width) / height), height: shortestEdge };
}

/**
 * CLIP image preprocessing as Hugging Face's CLIPImageProcessor does it: convert to RGB, resize
 * (Pillow-exact bicubic; shortest edge to `size`), centre crop (offsets floor((in - crop) / 2),
 * zero padding when the image is smaller), rescale by 1/255, normalise by mean/std.
 * Returns CHW float32 `[3, H, W]`.
 */
export function preprocessImage(img: RgbaImage, cfg: PreprocessorConfig, opts: PreprocessOptions = {}): Float32Array {
  let rgb = toRgb(img, opts.background);
  let w = img.width;
  let h = img.height;

  if (cfg.resize) {
    const target =
      cfg.resize.kind === 'exact' ? { width: cfg.resize.width, height: cfg.resize.height } : shortestEdgeSize(w, h, cfg.resize.shortestEdge);
    if (target.width !== w || target.height !== h) {
      rgb = resampleU8(rgb, w, h, 3, target.width, target.height, cfg.resample);
      w = target.width;
      h = target.height;
    }
  }

  const outH = cfg.centerCrop?.height ?? h;
  const outW = cfg.centerCrop?.width ?? w;
  // Where the crop window starts in source pixels; negative means zero padding on that side.
  const top = cfg.centerCrop ? cropOffset(h, outH) : 0;
  const left = cfg.centerCrop ? cropOffset(w, outW) : 0;

  const scale = cfg.rescaleFactor ?? 1;
  const mean = cfg.normalize?.mean ?? [0, 0, 0];
  const std = cfg.normalize?.std ?? [1, 1, 1];
  const plane = outH * outW;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    // Computed in float64 and rounded to float32 once; HF rounds after each float32 step (<= 1 ulp apart).
    const m = mean[c];
    const s = std[c];
    for (let y = 0; y < outH; y++) {
      const sy = y + top;
      for (let x = 0; x < outW; x++) {
        const sx = x + left;
        const v = sy >= 0 && sy < h && sx >= 0 && sx < w ? rgb[(sy * w + sx) * 3 + c] : 0;
        out[c * plane + y * outW + x] = (v * scale - m) / s;
      }
    }
  }
  return out;
}

/**
 * First source row/column of HF's center_crop: floor((in - crop) / 2); an image smaller than the
 * crop is zero-padded with ceil((crop - in) / 2) before it, i.e. a negative start.
 */
function cropOffset(inSize: number, crop: number): number {
  if (inSize >= crop) return Math.floor((inSize - crop) / 2);
  return -Math.ceil((crop - inSize) / 2);
}
