import { mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { TOKENIZER_SOURCE, writeManifest, type Manifest } from '../model/model-folder';
import type { ClipArchitecture } from './clip-architecture';
import { buildTextTower, buildVisionTower, type TowerPrecision } from './clip-towers';

/** CLIPImageProcessor as openai/clip-vit-base-patch32 ships it: 224 px, bicubic, OpenAI's mean and std. */
export function preprocessorConfig(a: ClipArchitecture): Record<string, unknown> {
  return {
    crop_size: { height: a.imageSize, width: a.imageSize },
    do_center_crop: true,
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    feature_extractor_type: 'CLIPFeatureExtractor',
    image_mean: [0.48145466, 0.4578275, 0.40821073],
    image_processor_type: 'CLIPImageProcessor',
    image_std: [0.26862954, 0.26130258, 0.27577711],
    resample: 3,
    rescale_factor: 0.00392156862745098,
    size: { shortest_edge: a.imageSize },
  };
}

/** The fields of CLIPConfig the loader and a reader need, and a note that these weights are random. */
export function modelConfig(a: ClipArchitecture): Record<string, unknown> {
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: a.projectionDim,
    logit_scale_init_value: 2.6592,
    text_config: {
      hidden_size: a.text.width,
      intermediate_size: a.text.mlp,
      num_attention_heads: a.text.heads,
      num_hidden_layers: a.text.layers,
      max_position_embeddings: a.text.contextLength,
      vocab_size: a.text.vocab,
      hidden_act: 'quick_gelu',
    },
    vision_config: {
      hidden_size: a.vision.width,
      intermediate_size: a.vision.mlp,
      num_attention_heads: a.vision.heads,
      num_hidden_layers: a.vision.layers,
      image_size: a.imageSize,
      patch_size: a.patchSize,
      hidden_act: 'quick_gelu',
    },
    clipfed: {
      rehearsal: true,
      note: 'Random weights in the shapes of openai/clip-vit-base-patch32: for measuring downloads, load time and speed. Its embeddings mean nothing; accuracy stays at chance.',
    },
  };
}

/**
 * Writes a CLIP model folder in the layout of the public ONNX export (config.json, preprocessor_config.json,
 * tokenizer.json, onnx/{vision,text}_model[_quantized].onnx, manifest.json), one tower file at a time so the
 * peak memory is one tower.
 */
export function writeRehearsalFolder(dir: string, a: ClipArchitecture, precisions: readonly TowerPrecision[], log = (_: string) => {}): Manifest {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  copyFileSync(TOKENIZER_SOURCE, path.join(dir, 'tokenizer.json'));
  writeFileSync(path.join(dir, 'preprocessor_config.json'), `${JSON.stringify(preprocessorConfig(a), null, 2)}\n`);
  writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(modelConfig(a), null, 2)}\n`);
  for (const p of precisions) {
    const suffix = p === 'quantized' ? '_quantized' : '';
    for (const [tower, build] of [
      ['vision', buildVisionTower],
      ['text', buildTextTower],
    ] as const) {
      const file = `onnx/${tower}_model${suffix}.onnx`;
      const bytes = build(a, p);
      writeFileSync(path.join(dir, file), bytes);
      log(`${file}: ${(bytes.byteLength / 1e6).toFixed(1)} MB`);
    }
  }
  return writeManifest(dir);
}
