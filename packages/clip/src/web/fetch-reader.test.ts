import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ort from 'onnxruntime-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../errors';
import { ClipModel } from '../model';
import { fixtureClipModelFiles } from '../testing';
import { FetchModelFileReader } from './fetch-reader';

/** A minimal Cache Storage (what the reader uses of it), since Node has none. */
class MemoryCacheStorage {
  readonly stores = new Map<string, Map<string, Uint8Array>>();
  async open(name: string) {
    const store = this.stores.get(name) ?? new Map<string, Uint8Array>();
    this.stores.set(name, store);
    return {
      match: async (key: string) => (store.has(key) ? new Response(store.get(key) as Uint8Array<ArrayBuffer>) : undefined),
      put: async (key: string, res: Response) => void store.set(key, new Uint8Array(await res.arrayBuffer())),
      delete: async (key: string) => store.delete(key),
      keys: async () => [...store.keys()].map((url) => ({ url })),
    };
  }
}

let server: Server;
let base: string;
let files: Map<string, Uint8Array>;
const requests: string[] = [];

beforeAll(async () => {
  files = await fixtureClipModelFiles({ embedDim: 8, imageSize: 16 });
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname.replace(/^\/model\//, ''));
    requests.push(`${req.method} ${path}`);
    const body = files.get(path);
    if (!body) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  requests.length = 0;
  delete (globalThis as { caches?: unknown }).caches;
});

describe('FetchModelFileReader', () => {
  it('loads a model over HTTP with byte progress, then from Cache Storage on the second visit', async () => {
    (globalThis as { caches?: unknown }).caches = new MemoryCacheStorage();
    const progress: { file: string; loaded: number; total: number }[] = [];
    const first = await ClipModel.load(new FetchModelFileReader(base), ort, { onProgress: (p) => progress.push(p) });
    expect(first.embedDim).toBe(8);
    const textEmb = await first.encodeTexts(['a cat']);
    await first.dispose();
    const vision = progress.filter((p) => p.file === 'onnx/vision_model.onnx');
    expect(vision.at(-1)).toEqual({ file: 'onnx/vision_model.onnx', loaded: files.get('onnx/vision_model.onnx')!.length, total: files.get('onnx/vision_model.onnx')!.length });
    expect(requests.filter((r) => r.startsWith('GET onnx/'))).toHaveLength(2);

    requests.length = 0;
    const second = await ClipModel.load(new FetchModelFileReader(base), ort);
    expect(await second.encodeTexts(['a cat'])).toEqual(textEmb);
    await second.dispose();
    // Only the manifest travels again; everything else comes from the cache.
    expect(requests).toEqual(['HEAD manifest.json', 'GET manifest.json']);
  });

  it('downloads a file again when the manifest says it changed', async () => {
    const cacheStorage = new MemoryCacheStorage();
    (globalThis as { caches?: unknown }).caches = cacheStorage;
    await (await ClipModel.load(new FetchModelFileReader(base), ort)).dispose();
    const original = files;
    try {
      files = await fixtureClipModelFiles({ embedDim: 8, imageSize: 16, seed: 9 });
      requests.length = 0;
      await (await ClipModel.load(new FetchModelFileReader(base), ort)).dispose();
      expect(requests).toContain('GET onnx/vision_model.onnx');
      expect(requests).not.toContain('GET tokenizer.json');
    } finally {
      files = original;
    }
  });

  it('answers from the manifest once it has one, without asking the server about files the folder lacks', async () => {
    const reader = new FetchModelFileReader(base, { cacheName: null });
    await reader.read('manifest.json');
    requests.length = 0;
    expect(await reader.exists('onnx/vision_model_quantized.onnx')).toBe(false);
    expect(await reader.exists('onnx/vision_model.onnx')).toBe(true);
    expect(requests).toEqual([]);
  });

  it('reports a 404 as a missing file and an unreachable host as no network', async () => {
    const reader = new FetchModelFileReader(base, { cacheName: null });
    await expect(reader.read('nope.json')).rejects.toMatchObject({ code: 'missing-file', file: 'nope.json' });
    expect(await reader.exists('nope.json')).toBe(false);
    expect(await reader.exists('config.json')).toBe(true);
    const offline = new FetchModelFileReader('http://127.0.0.1:9/model', { cacheName: null });
    const err = await offline.read('config.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect(err).toMatchObject({ code: 'no-network' });
    expect((err as Error).message).toMatch(/could not reach http:\/\/127\.0\.0\.1:9\/model\/config\.json/);
  });
});
