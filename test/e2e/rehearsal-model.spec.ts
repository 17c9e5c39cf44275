import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { api, startServerProcess, stopProcess, type ServerProcess } from '../integration/server-process';
import { CLIP_VIT_B32 } from '../../tools/rehearsal-model/clip-architecture';
import { writeRehearsalFolder } from '../../tools/rehearsal-model/rehearsal-folder';
import { watchPageErrors } from './run-api';

/** Its own server: the shared one serves the built-in model, this one the ViT-B/32-sized rehearsal model. */
const PORT = Number(process.env.E2E_REHEARSAL_PORT ?? 8183);
const MODEL_DIR = resolve('test-results/rehearsal-vit-b32-quantized');

interface TabStatus {
  stage: string;
  contributed: { rounds: number; imagesEncoded: number };
}

test('a tab runs a round with the int8-quantised model the size of CLIP ViT-B/32', async ({ browser }) => {
  test.setTimeout(20 * 60_000);
  // Written once per machine (about 15 s): 96 MB image tower and 64 MB text tower, random weights.
  if (!existsSync(join(MODEL_DIR, 'manifest.json'))) writeRehearsalFolder(MODEL_DIR, CLIP_VIT_B32, ['quantized']);
  const runsDir = await mkdtemp(join(tmpdir(), 'clipfed-e2e-rehearsal-'));
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({ port: PORT, modelDir: MODEL_DIR, runsDir });
    // Fashion-MNIST-LT with 2 test images per class keeps the server's ViT-B/32 evaluation to 20 images.
    const { runId } = await api<{ runId: string }>(server.url, '/api/runs', {
      method: 'POST',
      body: {
        name: 'rehearsal e2e',
        dataset: 'fashion-mnist-lt',
        fashionMnistLt: { imbalanceFactor: 10, headClassSize: 20, clientShards: 1, testPerClass: 2 },
        rounds: 1,
        minClients: 1,
        maxImagesPerClient: 4,
        roundDeadlineMs: 900_000,
      },
    });

    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    watchPageErrors(page, 'tab', errors);
    const towers: string[] = [];
    page.on('requestfinished', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/model/onnx/')) towers.push(path);
    });
    await page.goto(`${server.url}/?run=${runId}&backend=wasm&nocache`);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { clipfed?: { status?: TabStatus } }).clipfed?.status?.contributed.rounds ?? 0), {
        timeout: 15 * 60_000,
        intervals: [2_000],
      })
      .toBe(1);
    expect(towers.sort()).toEqual(['/model/onnx/text_model_quantized.onnx', '/model/onnx/vision_model_quantized.onnx']);
    await expect(page.getByTestId('contribution')).toHaveText('Your tab contributed 1 of 1 round', { timeout: 5 * 60_000 });
    const metrics = await api<{ round: number; participants: string[] }[]>(server.url, `/api/runs/${runId}/metrics`);
    expect(metrics.map((m) => m.round)).toEqual([0, 1]);
    expect(metrics[1].participants).toHaveLength(1);
    expect(errors).toEqual([]);
  } finally {
    if (server) await stopProcess(server.child, 'SIGTERM');
    await rm(runsDir, { recursive: true, force: true });
  }
});
