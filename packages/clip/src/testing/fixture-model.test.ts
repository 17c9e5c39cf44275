import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../onnx-writer';
import { fixtureClipModelFiles } from './fixture-model';

describe('fixtureClipModelFiles', () => {
  it('is deterministic per seed and differs across seeds', async () => {
    const a = await fixtureClipModelFiles({ seed: 5 });
    const b = await fixtureClipModelFiles({ seed: 5 });
    const c = await fixtureClipModelFiles({ seed: 6 });
    expect(a.get('onnx/vision_model.onnx')).toEqual(b.get('onnx/vision_model.onnx'));
    expect(a.get('onnx/text_model.onnx')).not.toEqual(c.get('onnx/text_model.onnx'));
  });

  it('has the real export names and shapes, and a manifest that matches every file', async () => {
    const files = await fixtureClipModelFiles({ embedDim: 12, imageSize: 20 });
    const vision = decodeModel(files.get('onnx/vision_model.onnx')!);
    expect(vision.inputs).toEqual([{ name: 'pixel_values', elemType: 1, shape: ['batch_size', 3, 20, 20] }]);
    expect(vision.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['image_embeds', ['batch_size', 12]],
      ['last_hidden_state', ['batch_size', 'num_patches', 12]],
    ]);
    const text = decodeModel(files.get('onnx/text_model.onnx')!);
    expect(text.inputs).toEqual([{ name: 'input_ids', elemType: 7, shape: ['batch_size', 77] }]);
    expect(text.outputs[0]).toEqual({ name: 'text_embeds', elemType: 1, shape: ['batch_size', 12] });
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json'))).files as Record<string, { bytes: number; sha256: string }>;
    expect(Object.keys(manifest).sort()).toEqual([...files.keys()].filter((f) => f !== 'manifest.json').sort());
    for (const [path, entry] of Object.entries(manifest)) {
      expect(entry.bytes).toBe(files.get(path)!.length);
      expect(entry.sha256).toBe(createHash('sha256').update(files.get(path)!).digest('hex'));
    }
    // Small enough to write in every test that needs a model.
    expect(files.get('onnx/text_model.onnx')!.length + files.get('onnx/vision_model.onnx')!.length).toBeLessThan(200_000);
  });

  it('rejects nonsense sizes', async () => {
    await expect(fixtureClipModelFiles({ embedDim: 0 })).rejects.toThrow(/embedDim must be a positive integer/);
  });
});
