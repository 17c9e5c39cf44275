import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipModelFromDir } from '../node';
import { fixtureClipModelFiles } from '../testing';
import { downloadClipModel } from './download';

let server: Server;
let base: string;
let dir: string;
let files: Map<string, Uint8Array>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clip-download-'));
  files = await fixtureClipModelFiles({ embedDim: 8, imageSize: 16, variant: 'quantized' });
  server = createServer((req, res) => {
    const body = files.get(decodeURIComponent(req.url!.slice(1)));
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

describe('downloadClipModel', () => {
  it('writes the loader layout and a manifest that the loader then checks', async () => {
    const out = join(dir, 'ok');
    const last = new Map<string, number>();
    const got = await downloadClipModel({ outDir: out, variant: 'quantized', baseUrl: base, onProgress: (p) => last.set(p.file, p.loaded) });
    expect(Object.keys(got).sort()).toEqual(['config.json', 'onnx/text_model_quantized.onnx', 'onnx/vision_model_quantized.onnx', 'preprocessor_config.json', 'tokenizer.json']);
    expect(last.get('onnx/vision_model_quantized.onnx')).toBe(files.get('onnx/vision_model_quantized.onnx')!.length);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.files['tokenizer.json']).toEqual(got['tokenizer.json']);
    expect(await readdir(join(out, 'onnx'))).not.toContain('vision_model_quantized.onnx.part');
    const model = await loadClipModelFromDir(out, { verifyChecksums: true });
    expect(model.info.variant).toBe('quantized');
    await model.dispose();
  });

  it('fails with a clear no-network error when the host cannot be reached', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(downloadClipModel({ outDir: join(dir, 'offline'), baseUrl: `http://127.0.0.1:${port}/` })).rejects.toMatchObject({
      code: 'no-network',
      message: expect.stringMatching(new RegExp(`^no network: could not reach 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`)),
    });
  });

  it('reports a file the server does not have', async () => {
    await expect(downloadClipModel({ outDir: join(dir, 'fp32'), variant: 'fp32', baseUrl: base })).rejects.toMatchObject({
      code: 'missing-file',
      message: expect.stringMatching(/onnx\/vision_model\.onnx answered HTTP 404/),
    });
  });
});
