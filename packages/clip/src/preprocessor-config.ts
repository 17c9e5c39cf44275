import type { ResampleFilter } from './image/resample';

/** OpenAI CLIP's normalisation constants, the defaults when a config leaves them out. */
export const CLIP_IMAGE_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_IMAGE_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export type Triple = readonly [number, number, number];

/** A `preprocessor_config.json` (CLIPImageProcessor / CLIPFeatureExtractor), validated and normalised. */
export interface PreprocessorConfig {
  /** `shortest-edge`: scale so the short side is `shortestEdge`, keeping aspect; `exact`: to height x width. */
  resize: { kind: 'shortest-edge'; shortestEdge: number } | { kind: 'exact'; height: number; width: number } | null;
  resample: ResampleFilter;
  centerCrop: { height: number; width: number } | null;
  /** Multiplier from 0-255 bytes to the model's range (1/255), or null to keep bytes. */
  rescaleFactor: number | null;
  normalize: { mean: Triple; std: Triple } | null;
  /** Spatial size of `pixel_values`, or null when it depends on the image (no crop, aspect kept). */
  inputSize: { height: number; width: number } | null;
}

export class PreprocessorConfigError extends Error {
  override readonly name = 'PreprocessorConfigError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`preprocessor_config.json: "${field}" ${problem}`);
  }
}

type Json = Record<string, unknown>;

function positiveInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new PreprocessorConfigError(field, `must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

function bool(cfg: Json, field: string, dflt: boolean): boolean {
  const v = cfg[field];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new PreprocessorConfigError(field, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** `224`, `{shortest_edge: 224}` or `{height, width}`. */
function parseSize(field: string, v: unknown): { shortestEdge: number } | { height: number; width: number } {
  if (typeof v === 'number') return { shortestEdge: positiveInt(field, v) };
  if (typeof v === 'object' && v !== null) {
    const o = v as Json;
    if (o.shortest_edge !== undefined) return { shortestEdge: positiveInt(`${field}.shortest_edge`, o.shortest_edge) };
    if (o.height !== undefined || o.width !== undefined) {
      return { height: positiveInt(`${field}.height`, o.height), width: positiveInt(`${field}.width`, o.width) };
    }
  }
  throw new PreprocessorConfigError(field, `must be a number, {"shortest_edge": n} or {"height": h, "width": w}, got ${JSON.stringify(v)}`);
}

function triple(field: string, v: unknown, dflt: Triple): Triple {
  if (v === undefined || v === null) return dflt;
  const arr = typeof v === 'number' ? [v, v, v] : v;
  if (!Array.isArray(arr) || (arr.length !== 3 && arr.length !== 1) || arr.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new PreprocessorConfigError(field, `must be a number or an array of 3 numbers, got ${JSON.stringify(v)}`);
  }
  const t = (arr.length === 1 ? [arr[0], arr[0], arr[0]] : arr) as [number, number, number];
  return t;
}

// PIL resample codes used by Hugging Face configs.
const RESAMPLE: Record<number, ResampleFilter> = { 2: 'bilinear', 3: 'bicubic' };

export function parsePreprocessorConfig(json: unknown): PreprocessorConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PreprocessorConfigError('(root)', 'must be a JSON object');
  }
  const cfg = json as Json;

  let resize: PreprocessorConfig['resize'] = null;
  if (bool(cfg, 'do_resize', true)) {
    if (cfg.size === undefined) throw new PreprocessorConfigError('size', 'is required when do_resize is true');
    const s = parseSize('size', cfg.size);
    resize = 'shortestEdge' in s ? { kind: 'shortest-edge', shortestEdge: s.shortestEdge } : { kind: 'exact', ...s };
  }

  let resample: ResampleFilter = 'bicubic';
  if (cfg.resample !== undefined && cfg.resample !== null) {
    const r = typeof cfg.resample === 'number' && Object.hasOwn(RESAMPLE, cfg.resample) ? RESAMPLE[cfg.resample] : undefined;
    if (!r) throw new PreprocessorConfigError('resample', `must be 2 (bilinear) or 3 (bicubic), got ${JSON.stringify(cfg.resample)}`);
    resample = r;
  }

  let centerCrop: PreprocessorConfig['centerCrop'] = null;
  if (bool(cfg, 'do_center_crop', true)) {
    if (cfg.crop_size === undefined) throw new PreprocessorConfigError('crop_size', 'is required when do_center_crop is true');
    const c = parseSize('crop_size', cfg.crop_size);
    centerCrop = 'shortestEdge' in c ? { height: c.shortestEdge, width: c.shortestEdge } : c;
  }

  let rescaleFactor: number | null = null;
  if (bool(cfg, 'do_rescale', true)) {
    const f = cfg.rescale_factor ?? 1 / 255;
    if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0) {
      throw new PreprocessorConfigError('rescale_factor', `must be a positive number, got ${JSON.stringify(f)}`);
    }
    rescaleFactor = f;
  }

  let normalize: PreprocessorConfig['normalize'] = null;
  if (bool(cfg, 'do_normalize', true)) {
    const mean = triple('image_mean', cfg.image_mean, CLIP_IMAGE_MEAN);
    const std = triple('image_std', cfg.image_std, CLIP_IMAGE_STD);
    if (std.some((s) => s <= 0)) throw new PreprocessorConfigError('image_std', `must be positive, got ${JSON.stringify(std)}`);
    normalize = { mean, std };
  }

  const inputSize = centerCrop ?? (resize?.kind === 'exact' ? { height: resize.height, width: resize.width } : null);
  return { resize, resample, centerCrop, rescaleFactor, normalize, inputSize };
}
