import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIP_IMAGE_MEAN, CLIP_IMAGE_STD } from '../preprocessor-config';
import { CONFIG_FILE, MANIFEST_FILE, PREPROCESSOR_FILE, TOKENIZER_FILE, towerFiles, type ModelVariant } from '../model-files';
import { CLIP_CONTEXT_LENGTH } from '../tokenizer';
import { buildFixtureTextTower, buildFixtureVisionTower } from './fixture-towers';

export interface FixtureClipModelOptions {
  /** Embedding size d. Default 32. */
  embedDim?: number;
  /** Square input size of the image tower (and crop size). Default 32. */
  imageSize?: number;
  /** Weights seed; the same options always give the same bytes. Default 1. */
  seed?: number;
  /** File names to write the towers under. Default 'fp32' (onnx/vision_model.onnx). */
  variant?: ModelVariant;
  /** Give the text tower an `attention_mask` input that changes its output. Default false. */
  attentionMask?: boolean;
  /** Write manifest.json with byte sizes and sha256. Default true. */
  manifest?: boolean;
}

export interface FixtureClipModel {
  dir: string;
  embedDim: number;
  imageSize: number;
  /** Relative paths written, with their sizes. */
  files: Record<string, number>;
}

const TOKENIZER_SOURCE = fileURLToPath(new URL('../../test-fixtures/clip-tokenizer/tokenizer.json', import.meta.url));
const LICENSE_SOURCE = fileURLToPath(new URL('../../test-fixtures/clip-tokenizer/LICENSE-CLIP.txt', import.meta.url));

/** The files of a fixture model folder, in memory. */
export async function fixtureClipModelFiles(opts: FixtureClipModelOptions = {}): Promise<Map<string, Uint8Array>> {
  const embedDim = opts.embedDim ?? 32;
  const imageSize = opts.imageSize ?? 32;
  const seed = opts.seed ?? 1;
  for (const [name, v] of Object.entries({ embedDim, imageSize, seed })) {
    if (!Number.isInteger(v) || v < (name === 'seed' ? 0 : 1)) throw new RangeError(`writeFixtureClipModel: ${name} must be a positive integer, got ${v}`);
  }
  const towerOpts = { embedDim, imageSize, seed, contextLength: CLIP_CONTEXT_LENGTH, attentionMask: opts.attentionMask ?? false };
  const towers = towerFiles(opts.variant ?? 'fp32');
  const json = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);
  const files = new Map<string, Uint8Array>();
  files.set(towers.vision, buildFixtureVisionTower(towerOpts));
  files.set(towers.text, buildFixtureTextTower(towerOpts));
  files.set(TOKENIZER_FILE, new Uint8Array(await readFile(TOKENIZER_SOURCE)));
  files.set('LICENSE-CLIP.txt', new Uint8Array(await readFile(LICENSE_SOURCE)));
  files.set(
    PREPROCESSOR_FILE,
    json({
      crop_size: { height: imageSize, width: imageSize },
      do_center_crop: true,
      do_convert_rgb: true,
      do_normalize: true,
      do_rescale: true,
      do_resize: true,
      image_mean: CLIP_IMAGE_MEAN,
      image_processor_type: 'CLIPImageProcessor',
      image_std: CLIP_IMAGE_STD,
      resample: 3,
      rescale_factor: 1 / 255,
      size: { shortest_edge: imageSize },
    }),
  );
  files.set(
    CONFIG_FILE,
    json({
      _name_or_path: 'clipfed-fixture-clip',
      architectures: ['CLIPModel'],
      model_type: 'clip',
      projection_dim: embedDim,
      note: 'Test fixture with random weights: its embeddings are deterministic but carry no meaning.',
      text_config: { hidden_size: embedDim, max_position_embeddings: CLIP_CONTEXT_LENGTH, vocab_size: 49408 },
      vision_config: { hidden_size: embedDim, image_size: imageSize, patch_size: Math.max(1, Math.floor(imageSize / 4)) },
    }),
  );
  if (opts.manifest ?? true) {
    const entries: Record<string, { bytes: number; sha256: string }> = {};
    for (const [path, bytes] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      entries[path] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    }
    files.set(MANIFEST_FILE, json({ files: entries }));
  }
  return files;
}

/**
 * Writes a tiny but complete CLIP-format model folder (both ONNX towers with the real input and
 * output names, the real tokenizer.json, preprocessor_config.json, config.json, manifest.json)
 * that `loadClipModelFromDir` and `loadClipModelFromUrl` load like the real model.
 */
export async function writeFixtureClipModel(dir: string, opts: FixtureClipModelOptions = {}): Promise<FixtureClipModel> {
  const files = await fixtureClipModelFiles(opts);
  const sizes: Record<string, number> = {};
  for (const [path, bytes] of files) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
    sizes[path] = bytes.length;
  }
  return { dir, embedDim: opts.embedDim ?? 32, imageSize: opts.imageSize ?? 32, files: sizes };
}
