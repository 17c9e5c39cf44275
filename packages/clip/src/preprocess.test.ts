import { describe, expect, it } from 'vitest';
import { CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, parsePreprocessorConfig, PreprocessorConfigError, preprocessImage, shortestEdgeSize } from './preprocess';
import type { RgbaImage } from './image/rgba-image';

// The config shipped with openai/clip-vit-base-patch32 (transformers >= 4.26 style).
const CLIP_CONFIG = {
  crop_size: { height: 224, width: 224 },
  do_center_crop: true,
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_processor_type: 'CLIPImageProcessor',
  image_std: [0.26862954, 0.26130258, 0.27577711],
  resample: 3,
  rescale_factor: 0.00392156862745098,
  size: { shortest_edge: 224 },
};

function rgba(width: number, height: number, f: (x: number, y: number) => [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(f(x, y), (y * width + x) * 4);
  return { width, height, data };
}

const norm = (v: number, c: number) => (v / 255 - CLIP_IMAGE_MEAN[c]) / CLIP_IMAGE_STD[c];

describe('parsePreprocessorConfig', () => {
  it('reads the CLIP config, new and old styles alike', () => {
    const cfg = parsePreprocessorConfig(CLIP_CONFIG);
    expect(cfg.resize).toEqual({ kind: 'shortest-edge', shortestEdge: 224 });
    expect(cfg.centerCrop).toEqual({ height: 224, width: 224 });
    expect(cfg.inputSize).toEqual({ height: 224, width: 224 });
    expect(cfg.resample).toBe('bicubic');
    expect(cfg.rescaleFactor).toBeCloseTo(1 / 255, 12);
    const old = parsePreprocessorConfig({ crop_size: 224, size: 224, do_normalize: true, image_mean: CLIP_CONFIG.image_mean, image_std: CLIP_CONFIG.image_std, resample: 3 });
    expect(old).toEqual(cfg);
  });

  it('names the bad field', () => {
    const bad = (patch: object) => () => parsePreprocessorConfig({ ...CLIP_CONFIG, ...patch });
    expect(bad({ size: 'big' })).toThrow(/"size" must be/);
    expect(bad({ size: { shortest_edge: -3 } })).toThrow(/"size.shortest_edge" must be a positive integer/);
    expect(bad({ crop_size: { height: 224 } })).toThrow(/"crop_size.width"/);
    expect(bad({ image_mean: [0.5, 0.5] })).toThrow(/"image_mean"/);
    expect(bad({ image_std: [1, 0, 1] })).toThrow(/"image_std" must be positive/);
    expect(bad({ resample: 0 })).toThrow(/"resample"/);
    expect(bad({ resample: 'constructor' })).toThrow(/"resample"/);
    expect(bad({ do_resize: 'yes' })).toThrow(/"do_resize" must be true or false/);
    expect(() => parsePreprocessorConfig([])).toThrow(PreprocessorConfigError);
  });
});

describe('preprocessImage', () => {
  it('normalises each channel with CLIP mean/std into CHW order', () => {
    const cfg = parsePreprocessorConfig({ ...CLIP_CONFIG, size: { shortest_edge: 2 }, crop_size: 2 });
    // 2x2, already the right size: no resampling happens.
    const img = rgba(2, 2, (x, y) => [x * 100, y * 100, 255, 255]);
    const out = preprocessImage(img, cfg);
    expect(out.length).toBe(12);
    const expected = [
      ...[0, 100, 0, 100].map((v) => norm(v, 0)),
      ...[0, 0, 100, 100].map((v) => norm(v, 1)),
      ...[255, 255, 255, 255].map((v) => norm(v, 2)),
    ];
    expect(Array.from(out)).toEqual(expected.map((v) => expect.closeTo(v, 5)));
    // e.g. red 100: (0.39215686 - 0.48145466) / 0.26862954 = -0.332420
    expect(out[1]).toBeCloseTo(-0.33242, 5);
  });

  it('centre-crops at floor((in - crop) / 2)', () => {
    const cfg = parsePreprocessorConfig({ do_resize: false, crop_size: 2, do_normalize: false });
    // 5 wide x 4 tall: columns 1-2 (floor(3/2) = 1), rows 1-2.
    const img = rgba(5, 4, (x, y) => [x * 10 + y, 0, 0, 255]);
    const out = preprocessImage(img, cfg);
    expect(Array.from(out.slice(0, 4)).map((v) => Math.round(v * 255))).toEqual([11, 21, 12, 22]);
  });

  it('zero-pads an image smaller than the crop, ceil((crop - in) / 2) before it', () => {
    const cfg = parsePreprocessorConfig({ do_resize: false, crop_size: 4, do_rescale: false, do_normalize: false });
    const img = rgba(3, 3, () => [9, 9, 9, 255]);
    const r = Array.from(preprocessImage(img, cfg).slice(0, 16));
    expect(r).toEqual([0, 0, 0, 0, 0, 9, 9, 9, 0, 9, 9, 9, 0, 9, 9, 9]);
  });

  it('resizes the shortest side with truncation of the long side', () => {
    expect(shortestEdgeSize(640, 480, 224)).toEqual({ width: 298, height: 224 });
    expect(shortestEdgeSize(28, 28, 224)).toEqual({ width: 224, height: 224 });
    expect(shortestEdgeSize(100, 301, 224)).toEqual({ width: 224, height: 674 });
    const cfg = parsePreprocessorConfig(CLIP_CONFIG);
    const out = preprocessImage(rgba(40, 30, () => [128, 128, 128, 255]), cfg);
    expect(out.length).toBe(3 * 224 * 224);
    // A flat image stays flat through bicubic resizing.
    expect(out.every((v, i) => Math.abs(v - norm(128, Math.floor(i / (224 * 224)))) < 1e-5)).toBe(true);
  });

  it('treats grey and RGB buffers like the equivalent RGBA image', () => {
    const cfg = parsePreprocessorConfig({ ...CLIP_CONFIG, size: { shortest_edge: 8 }, crop_size: 8 });
    const grey = new Uint8Array(28 * 28).map((_, i) => (i * 7) % 256);
    const asRgba = rgba(28, 28, (x, y) => {
      const g = grey[y * 28 + x];
      return [g, g, g, 255];
    });
    const asRgb = { width: 28, height: 28, data: new Uint8Array(28 * 28 * 3).map((_, i) => grey[Math.floor(i / 3)]) };
    const a = preprocessImage({ width: 28, height: 28, data: grey }, cfg);
    expect(a).toEqual(preprocessImage(asRgba, cfg));
    expect(a).toEqual(preprocessImage(asRgb, cfg));
  });

  it('drops alpha like Pillow by default and composites when given a background', () => {
    const cfg = parsePreprocessorConfig({ do_resize: false, do_center_crop: false, do_normalize: false, do_rescale: false });
    const img = rgba(1, 1, () => [200, 100, 0, 64]);
    expect(Array.from(preprocessImage(img, cfg))).toEqual([200, 100, 0]);
    // 200 * 64/255 + 255 * 191/255 = 241.2 -> 241
    expect(Array.from(preprocessImage(img, cfg, { background: [255, 255, 255] }))).toEqual([241, 216, 191]);
  });

  it('rejects a buffer whose length fits no channel count', () => {
    const cfg = parsePreprocessorConfig(CLIP_CONFIG);
    expect(() => preprocessImage({ width: 4, height: 4, data: new Uint8Array(20) }, cfg)).toThrow(/needs 64 \(RGBA\), 48 \(RGB\) or 16 \(grey\)/);
  });
});
