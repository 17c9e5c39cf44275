import { mkdtemp, readFile, rename, rm, truncate, unlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipModel, ModelLoadError } from './index';
import { loadClipModelFromDir } from './node';
import { fixtureClipModelFiles, MemoryModelFileReader, writeFixtureClipModel } from './testing';

let root: string;
let n = 0;
const freshDir = () => join(root, `m${n++}`);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'clip-node-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function expectLoadError(p: Promise<unknown>, code: ModelLoadError['code'], message: RegExp): Promise<ModelLoadError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelLoadError);
  expect((err as ModelLoadError).code).toBe(code);
  expect((err as ModelLoadError).message).toMatch(message);
  return err as ModelLoadError;
}

describe('loadClipModelFromDir on the fixture model', () => {
  let dir: string;
  let model: ClipModel;
  beforeAll(async () => {
    dir = freshDir();
    await writeFixtureClipModel(dir, { embedDim: 16, imageSize: 24, seed: 3 });
    model = await loadClipModelFromDir(dir);
  });
  afterAll(() => model.dispose());

  it('reads sizes and names from the folder', () => {
    expect(model.embedDim).toBe(16);
    expect(model.info).toMatchObject({ variant: 'fp32', visionFile: 'onnx/vision_model.onnx', imageSize: { height: 24, width: 24 }, contextLength: 77 });
    expect(model.tokenizer.vocabSize).toBe(49408);
    expect((model.config as { projection_dim: number }).projection_dim).toBe(16);
  });

  it('encodes texts to [n, d]: deterministic, input-dependent, the same alone or batched', async () => {
    const texts = ['a photo of a cat', 'a photo of a dog', ''];
    const batch = await model.encodeTexts(texts);
    expect(batch.length).toBe(3 * 16);
    expect(batch.every(Number.isFinite)).toBe(true);
    expect(Array.from(batch.slice(0, 16))).not.toEqual(Array.from(batch.slice(16, 32)));
    const alone = await model.encodeTexts(['a photo of a dog']);
    expect(Array.from(alone)).toEqual(Array.from(batch.slice(16, 32)).map((v) => expect.closeTo(v, 5)));
    expect(await model.encodeTexts([])).toEqual(new Float32Array(0));
  });

  it('feeds the tokenizer ids to the text tower exactly', async () => {
    const bytes = await readFile(join(dir, 'onnx/text_model.onnx'));
    const session = await ort.InferenceSession.create(bytes);
    const ids = model.tokenizer.tokenizeBatch(['hello world']);
    const direct = await session.run({ input_ids: new ort.Tensor('int64', ids, [1, 77]) });
    await session.release();
    expect(Array.from(await model.encodeTexts(['hello world']))).toEqual(Array.from(direct.text_embeds.data as Float32Array));
  });

  it('preprocesses and encodes images to [n, d]', async () => {
    const img = { width: 30, height: 20, data: new Uint8Array(30 * 20 * 4).map((_, i) => (i * 31) % 256) };
    const pixels = model.preprocess(img);
    expect(pixels.length).toBe(3 * 24 * 24);
    const two = new Float32Array(2 * pixels.length);
    two.set(pixels, 0);
    two.set(pixels.map((v) => -v), pixels.length);
    const out = await model.encodeImages(two, 2);
    expect(out.length).toBe(32);
    expect(Array.from(out.slice(0, 16))).not.toEqual(Array.from(out.slice(16)));
    expect(Array.from(await model.encodeRgbaImages([img]))).toEqual(Array.from(out.slice(0, 16)).map((v) => expect.closeTo(v, 5)));
    await expect(model.encodeImages(pixels, 2)).rejects.toThrow(/2 images of 3x24x24 need 3456/);
  });

  it('serialises concurrent calls on one session', async () => {
    const texts = ['one', 'two', 'three', 'four'];
    const together = await Promise.all(texts.map((t) => model.encodeTexts([t])));
    const oneByOne: Float32Array[] = [];
    for (const t of texts) oneByOne.push(await model.encodeTexts([t]));
    expect(together).toEqual(oneByOne);
  });

  it('reports byte progress per file', async () => {
    const seen = new Map<string, number>();
    const m = await loadClipModelFromDir(dir, { onProgress: (p) => seen.set(p.file, p.loaded) });
    await m.dispose();
    const sizes = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).files as Record<string, { bytes: number }>;
    for (const f of ['onnx/vision_model.onnx', 'onnx/text_model.onnx', 'tokenizer.json']) expect(seen.get(f)).toBe(sizes[f].bytes);
    await expect(m.encodeTexts(['x'])).rejects.toThrow(/disposed/);
  });
});

describe('ClipModel with other tower shapes', () => {
  it('supplies attention_mask: ones through EOT, zeros after', async () => {
    const files = await fixtureClipModelFiles({ embedDim: 8, attentionMask: true });
    const model = await ClipModel.load(new MemoryModelFileReader(files), ort);
    const session = await ort.InferenceSession.create(files.get('onnx/text_model.onnx')!);
    const ids = model.tokenizer.tokenizeBatch(['a cat']); // SOT a cat EOT -> 4 ones
    const mask = new BigInt64Array(77);
    mask.fill(1n, 0, 4);
    const direct = await session.run({ input_ids: new ort.Tensor('int64', ids, [1, 77]), attention_mask: new ort.Tensor('int64', mask, [1, 77]) });
    expect(Array.from(await model.encodeTexts(['a cat']))).toEqual(Array.from(direct.text_embeds.data as Float32Array));
    await session.release();
    await model.dispose();
  });

  it('runs float16 towers and finds embedDim by probing when nothing declares it', async () => {
    const { OnnxGraphBuilder } = await import('./onnx-writer');
    const files = await fixtureClipModelFiles({ embedDim: 4, imageSize: 8 });
    // Image tower: per-channel mean of the pixels times W [3, 4], with float16 input and output.
    const W = new Float32Array([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
    const v = new OnnxGraphBuilder();
    v.input('pixel_values', 'float16', ['batch', 3, 8, 8])
      .node('Cast', ['pixel_values'], ['px'], { to: 1 })
      .node('ReduceMean', ['px'], ['means'], { axes: [2, 3], keepdims: 0 })
      .node('MatMul', ['means', v.initializer('W', W, [3, 4])], ['emb'])
      .node('Cast', ['emb'], ['image_embeds'], { to: 10 })
      .output('image_embeds', 'float16', ['batch', 'dim']);
    files.set('onnx/vision_model.onnx', v.toBytes());
    const config = JSON.parse(new TextDecoder().decode(files.get('config.json')));
    delete config.projection_dim;
    files.set('config.json', new TextEncoder().encode(JSON.stringify(config)));
    files.delete('manifest.json');
    const model = await ClipModel.load(new MemoryModelFileReader(files), ort);
    expect(model.embedDim).toBe(4);
    // A flat image: each channel's mean is its normalised value.
    const pixels = model.preprocess({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(255) });
    const [r, g, b] = [pixels[0], pixels[64], pixels[128]];
    const out = await model.encodeImages(pixels, 1);
    expect(Array.from(out)).toEqual([r, g, b, r + g + b].map((x) => expect.closeTo(x, 2)));
    await model.dispose();
  });
});

describe('loadClipModelFromDir errors', () => {
  it('names a missing small file and the layout', async () => {
    const dir = freshDir();
    await writeFixtureClipModel(dir, { manifest: false });
    await unlink(join(dir, 'config.json'));
    const e = await expectLoadError(loadClipModelFromDir(dir), 'missing-file', /config\.json is missing in .*\n.*onnx\/vision_model\.onnx/s);
    expect(e.file).toBe('config.json');
  });

  it('names a missing tower and its partner', async () => {
    const dir = freshDir();
    await writeFixtureClipModel(dir);
    await unlink(join(dir, 'onnx/text_model.onnx'));
    await expectLoadError(loadClipModelFromDir(dir), 'missing-file', /onnx\/text_model\.onnx is missing .*partner onnx\/vision_model\.onnx/);
  });

  it('says an empty folder lacks the towers', async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    await expectLoadError(loadClipModelFromDir(dir), 'missing-file', /onnx\/vision_model\.onnx is missing/);
  });

  it('gives expected and actual size of a truncated file listed in manifest.json', async () => {
    const dir = freshDir();
    const fx = await writeFixtureClipModel(dir);
    const full = fx.files['onnx/vision_model.onnx'];
    await truncate(join(dir, 'onnx/vision_model.onnx'), 1000);
    const e = await expectLoadError(loadClipModelFromDir(dir), 'truncated', new RegExp(`onnx/vision_model\\.onnx .* is 1000 bytes .* says ${full} .*truncated`));
    expect(e.file).toBe('onnx/vision_model.onnx');
  });

  it('maps an unparsable tower without a manifest to "truncated or corrupt"', async () => {
    const dir = freshDir();
    await writeFixtureClipModel(dir, { manifest: false });
    await truncate(join(dir, 'onnx/text_model.onnx'), 500);
    await expectLoadError(loadClipModelFromDir(dir), 'truncated', /onnx\/text_model\.onnx .* truncated or corrupt/);
  });

  it('catches corrupted content of the right size with verifyChecksums', async () => {
    const dir = freshDir();
    await writeFixtureClipModel(dir);
    const p = join(dir, 'preprocessor_config.json');
    const text = await readFile(p, 'utf8');
    await writeFile(p, text.replace('"do_resize": true', '"do_resize": tru '));
    await expectLoadError(loadClipModelFromDir(dir, { verifyChecksums: true }), 'truncated', /preprocessor_config\.json .* is corrupt: sha256/);
  });

  it('recognises towers outside onnx/ as a wrong layout', async () => {
    const dir = freshDir();
    await writeFixtureClipModel(dir);
    await rename(join(dir, 'onnx/vision_model.onnx'), join(dir, 'vision_model.onnx'));
    await rename(join(dir, 'onnx/text_model.onnx'), join(dir, 'text_model.onnx'));
    await expectLoadError(loadClipModelFromDir(dir), 'bad-layout', /found vision_model\.onnx, text_model\.onnx.*under onnx\//s);
  });

  it('recognises swapped towers from their inputs', async () => {
    const dir = freshDir();
    await writeFixtureClipModel(dir, { manifest: false });
    await rename(join(dir, 'onnx/vision_model.onnx'), join(dir, 'swap.onnx'));
    await rename(join(dir, 'onnx/text_model.onnx'), join(dir, 'onnx/vision_model.onnx'));
    await rename(join(dir, 'swap.onnx'), join(dir, 'onnx/text_model.onnx'));
    await expectLoadError(loadClipModelFromDir(dir), 'bad-layout', /onnx\/vision_model\.onnx: .*input_ids/);
  });

  it('picks variants: auto-detects quantized, and says what is there when another is asked for', async () => {
    const dir = freshDir();
    await writeFixtureClipModel(dir, { variant: 'quantized', embedDim: 8 });
    const m = await loadClipModelFromDir(dir);
    expect(m.info.variant).toBe('quantized');
    expect(m.info.textFile).toBe('onnx/text_model_quantized.onnx');
    await m.dispose();
    await expectLoadError(loadClipModelFromDir(dir, { variant: 'fp32' }), 'missing-file', /fp32 variant was asked for, but the folder has only quantized/);
  });

  it('names the bad field of preprocessor_config.json and a preprocessor that does not fit the tower', async () => {
    const dir = freshDir();
    await writeFixtureClipModel(dir, { manifest: false });
    const p = join(dir, 'preprocessor_config.json');
    const cfg = JSON.parse(await readFile(p, 'utf8'));
    await writeFile(p, JSON.stringify({ ...cfg, image_std: [1, 2] }));
    await expectLoadError(loadClipModelFromDir(dir), 'bad-config', /"image_std" must be/);
    await writeFile(p, JSON.stringify({ ...cfg, crop_size: 64 }));
    await expectLoadError(loadClipModelFromDir(dir), 'bad-config', /produces 3x64x64 pixels but onnx\/vision_model\.onnx expects .*32, 32/);
    await writeFile(p, '{ not json');
    await expectLoadError(loadClipModelFromDir(dir), 'bad-config', /preprocessor_config\.json is not valid JSON/);
  });

  it('rejects a config.json whose projection_dim disagrees with the towers', async () => {
    const dir = freshDir();
    await writeFixtureClipModel(dir, { manifest: false, embedDim: 8 });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ projection_dim: 512 }));
    await expectLoadError(loadClipModelFromDir(dir), 'bad-config', /projection_dim 512 .* 8-d/);
  });
});
