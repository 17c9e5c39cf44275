import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipModel } from '@clipfed/clip';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { EMOJI_CLASSES, FASHION_MNIST_CLASSES } from '@clipfed/data/browser-safe';
import { ZERO_SHOT_PROMPT } from './captions';
import { BUILD_CONFIG } from './build-config';
import { DEFAULT_MODEL_DIR, domainExposure, readSeenDomains } from './evaluate';
import { listFiles } from './model-folder';
import { normalizeRows } from './zero-shot';

const dir = DEFAULT_MODEL_DIR;
const MiB = 1024 * 1024;

describe('models/builtin', () => {
  let model: ClipModel;
  beforeAll(async () => {
    if (!existsSync(path.join(dir, 'manifest.json'))) throw new Error(`${dir} has no manifest.json: run npm run build:model`);
    model = await loadClipModelFromDir(dir, { verifyChecksums: true });
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('has a manifest whose sizes and sha256 sums match every file in the folder', () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { bytes: number; sha256: string }> };
    const files = listFiles(dir).filter((f) => f !== 'manifest.json');
    expect(Object.keys(manifest.files).sort()).toEqual(files);
    for (const f of files) {
      const bytes = readFileSync(path.join(dir, f));
      expect(manifest.files[f].bytes, f).toBe(bytes.byteLength);
      expect(manifest.files[f].sha256, f).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('has the CLIP folder layout and stays within 30 MiB', () => {
    for (const f of ['onnx/vision_model.onnx', 'onnx/text_model.onnx', 'tokenizer.json', 'preprocessor_config.json', 'config.json', 'LICENSE', 'NOTICE']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
    const total = listFiles(dir).reduce((s, f) => s + readFileSync(path.join(dir, f)).byteLength, 0);
    expect(total).toBeLessThan(30 * MiB);
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config.projection_dim).toBe(512);
    expect(config.clipfed.builtin).toBe(true);
  });

  it('says in its config which domains pretraining saw: the build config\'s styles and Fashion-MNIST, never the others', () => {
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    const seen = [...BUILD_CONFIG.pretrainStyles.map((s) => `emoji:${s}`), 'fashion-mnist'];
    expect(config.clipfed.seen_domains).toEqual(seen);
    expect(config.clipfed.unseen_domains).toEqual(['emoji:openmoji', 'emoji:fluent-high-contrast']);
    expect(readSeenDomains(dir)).toEqual(seen);
    expect(domainExposure('emoji:noto', seen)).toBe('seen');
    expect(domainExposure('emoji:openmoji', seen)).toBe('unseen');
    expect(domainExposure('emoji:noto-sketch', seen)).toBe('unseen');
    expect(domainExposure('emoji:noto', undefined)).toBe('unknown');
  });

  it('loads through @clipfed/clip with 512-d embeddings and the 77-token context', () => {
    expect(model.embedDim).toBe(512);
    expect(model.info.contextLength).toBe(77);
  });

  it('gives finite, pairwise distinct embeddings for the zero-shot prompts of both benchmarks', async () => {
    const classes = [...FASHION_MNIST_CLASSES, ...EMOJI_CLASSES.map((c) => c.name), 'zebra', 'violin'];
    const embeds = await model.encodeTexts(classes.map(ZERO_SHOT_PROMPT));
    expect(embeds.length).toBe(classes.length * 512);
    expect(embeds.every(Number.isFinite)).toBe(true);
    const unit = normalizeRows(embeds, 512);
    for (let i = 0; i < classes.length; i++) {
      for (let j = i + 1; j < classes.length; j++) {
        let cos = 0;
        for (let d = 0; d < 512; d++) cos += unit[i * 512 + d] * unit[j * 512 + d];
        expect(cos, `${classes[i]} vs ${classes[j]}`).toBeLessThan(0.995);
      }
    }
  });

  it('encodes images to finite 512-d embeddings that depend on the picture', async () => {
    const size = 64;
    const image = (f: (x: number, y: number) => [number, number, number]) => {
      const data = new Uint8Array(size * size * 4);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const [r, g, b] = f(x, y);
          data.set([r, g, b, 255], (y * size + x) * 4);
        }
      }
      return { width: size, height: size, data };
    };
    const disc = image((x, y) => ((x - 32) ** 2 + (y - 32) ** 2 < 400 ? [220, 30, 30] : [255, 255, 255]));
    const stripes = image((x) => (x % 16 < 8 ? [20, 20, 200] : [240, 240, 40]));
    const embeds = await model.encodeRgbaImages([disc, stripes]);
    expect(embeds.length).toBe(2 * 512);
    expect(embeds.every(Number.isFinite)).toBe(true);
    const unit = normalizeRows(embeds, 512);
    let cos = 0;
    for (let d = 0; d < 512; d++) cos += unit[d] * unit[512 + d];
    expect(cos).toBeLessThan(0.99);
  });
});
