import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '@clipfed/clip/onnx-writer';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { CLIP_TINY } from './clip-architecture';
import { buildTextTower, buildVisionTower } from './clip-towers';
import { writeRehearsalFolder } from './rehearsal-folder';

const dir = mkdtempSync(path.join(tmpdir(), 'rehearsal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] ** 2;
    bb += b[i] ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('the rehearsal CLIP model', () => {
  const pixels = new ort.Tensor('float32', Float32Array.from({ length: 2 * 3 * 64 * 64 }, (_, i) => Math.sin(i)), [2, 3, 64, 64]);
  const ids = new BigInt64Array(2 * 77);
  ids.set([49406n, 320n, 1929n, 49407n], 0);
  ids.set([49406n, 320n, 2368n, 539n, 49407n], 77);
  const tokens = new ort.Tensor('int64', ids, [2, 77]);

  it('has the public export names and shapes, and the quantised towers use the dynamic quantisation operators', () => {
    const vision = decodeModel(buildVisionTower(CLIP_TINY, 'quantized'));
    expect(vision.inputs.map((i) => i.name)).toEqual(['pixel_values']);
    expect(vision.outputs.map((o) => o.name)).toEqual(['image_embeds', 'last_hidden_state']);
    const ops = new Set(vision.opTypes);
    for (const op of ['DynamicQuantizeLinear', 'MatMulInteger', 'Conv', 'LayerNormalization']) expect(ops.has(op), op).toBe(true);
    const text = decodeModel(buildTextTower(CLIP_TINY, 'quantized'));
    expect(text.inputs.map((i) => i.name)).toEqual(['input_ids']);
    expect(text.outputs.map((o) => o.name)).toEqual(['text_embeds', 'last_hidden_state']);
    expect(text.opTypes.includes('DequantizeLinear')).toBe(true);
    expect(decodeModel(buildVisionTower(CLIP_TINY, 'fp32')).opTypes.includes('MatMulInteger')).toBe(false);
  });

  it('computes embeddings of the right shape, and the quantised towers follow the float32 ones', async () => {
    const v32 = await run(buildVisionTower(CLIP_TINY, 'fp32'), { pixel_values: pixels });
    const v8 = await run(buildVisionTower(CLIP_TINY, 'quantized'), { pixel_values: pixels });
    expect(v32.image_embeds.dims).toEqual([2, 16]);
    expect(v32.last_hidden_state.dims).toEqual([2, 5, 32]);
    expect(cosine(v32.image_embeds.data as Float32Array, v8.image_embeds.data as Float32Array)).toBeGreaterThan(0.98);

    const t32 = await run(buildTextTower(CLIP_TINY, 'fp32'), { input_ids: tokens });
    const t8 = await run(buildTextTower(CLIP_TINY, 'quantized'), { input_ids: tokens });
    expect(t32.text_embeds.dims).toEqual([2, 16]);
    expect(t32.last_hidden_state.dims).toEqual([2, 77, 32]);
    const e = t32.text_embeds.data as Float32Array;
    expect(cosine(e, t8.text_embeds.data as Float32Array)).toBeGreaterThan(0.98);
    // Two different prompts, two different embeddings (pooling at each row's own end-of-text token).
    expect(cosine(e.subarray(0, 16), e.subarray(16))).toBeLessThan(0.999);
  });

  it('writes a folder the project loader opens in either variant', async () => {
    const manifest = writeRehearsalFolder(dir, CLIP_TINY, ['fp32', 'quantized']);
    expect(Object.keys(manifest.files).sort()).toEqual([
      'config.json',
      'onnx/text_model.onnx',
      'onnx/text_model_quantized.onnx',
      'onnx/vision_model.onnx',
      'onnx/vision_model_quantized.onnx',
      'preprocessor_config.json',
      'tokenizer.json',
    ]);
    for (const variant of ['fp32', 'quantized'] as const) {
      const model = await loadClipModelFromDir(dir, { variant });
      try {
        expect(model.info.variant).toBe(variant);
        const emb = await model.encodeTexts(['a photo of a cat']);
        expect(emb.length).toBe(16);
      } finally {
        await model.dispose();
      }
    }
  });
});
