import { expect, test, type Page } from '@playwright/test';
import { createRun, getAggregation, getMetrics, getRun, watchPageErrors } from './run-api';

const ROUNDS = 3;

test('three tabs (webgpu, wasm, auto) finish a FedCLIP run that beats zero-shot on their own unseen domains', async ({ browser, request }) => {
  // The demo preset's setting (docs/RESULTS.md): three domains the built-in model never saw, the class-level
  // objective, lr 1e-3 and no weight decay, so that three short rounds visibly move the adapter; 48 images per tab,
  // because the forced-WebGPU tab runs on a software adapter here.
  const runId = await createRun(request, {
    name: 'e2e three tabs',
    rounds: ROUNDS,
    minClients: 3,
    localEpochs: 3,
    learningRate: 1e-3,
    weightDecay: 0,
    objective: 'class-ce',
    emojiDomains: { clientDomains: ['noto-silhouette', 'twemoji-sketch', 'fluent-flat-inverted'] },
    maxImagesPerClient: 48,
    roundDeadlineMs: 600_000,
    aggregation: 'fedavg',
  });

  const consoleErrors: string[] = [];
  const pages: Page[] = [];
  for (const backend of ['webgpu', 'wasm', null]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    watchPageErrors(page, String(backend), consoleErrors);
    await page.goto(`/?run=${runId}${backend ? `&backend=${backend}` : ''}`);
    pages.push(page);
  }

  await expect(pages[0].getByTestId('backend')).toContainText('ONNX webgpu, tfjs webgpu');
  await expect(pages[1].getByTestId('backend')).toContainText('ONNX wasm, tfjs wasm');
  // No hardware GPU here: the automatic choice measures, sees the software adapter lose, and picks wasm.
  // The first measurement on a device takes a while on SwiftShader with three tabs sharing two cores.
  await expect(pages[2].getByTestId('backend')).toContainText(/ONNX wasm, tfjs wasm .*(software fallback|no WebGPU)/, { timeout: 180_000 });

  await expect
    .poll(async () => (await getRun(request, runId)).state.status, { timeout: 14 * 60_000, intervals: [5_000] })
    .toBe('finished');

  const snapshot = await getRun(request, runId);
  const clientIds = snapshot.clients.map((c) => c.clientId).sort();
  expect(clientIds).toHaveLength(3);
  expect(snapshot.clients.map((c) => c.capabilities.onnxBackend).sort()).toEqual(['wasm', 'wasm', 'webgpu']);

  const metrics = await getMetrics(request, runId);
  expect(metrics.map((m) => m.round)).toEqual([0, 1, 2, 3]);
  for (const m of metrics.slice(1)) expect([...m.participants].sort()).toEqual(clientIds);

  for (let round = 1; round <= ROUNDS; round++) {
    const agg = await getAggregation(request, runId, round);
    expect(agg.mode).toBe('fedavg');
    expect(agg.uploads.map((u) => u.clientId).sort()).toEqual(clientIds);
    const total = agg.uploads.reduce((s, u) => s + u.numSamples, 0);
    for (const [name, global] of agg.global) {
      let maxDiff = 0;
      for (let i = 0; i < global.length; i++) {
        let mean = 0;
        for (const u of agg.uploads) mean += (u.numSamples / total) * u.tensors.get(name)![i];
        maxDiff = Math.max(maxDiff, Math.abs(mean - global[i]));
      }
      expect(maxDiff, `round ${round} ${name}: global equals the sample-weighted mean of the uploads`).toBeLessThan(1e-6);
    }
  }

  // Each tab's own domain (silhouettes, sketches, inverted colours: 22-29 % zero-shot) is what the adapter learns;
  // the held-out style (openmoji, which no tab trained on) must not be broken by it.
  const last = metrics.at(-1)!;
  test.info().annotations.push({
    type: 'accuracy',
    description: `own domains ${last.personalAccuracy} (zero-shot ${last.zeroShotPersonalAccuracy}); held-out ${last.heldOutAccuracy} (zero-shot ${last.zeroShotHeldOutAccuracy})`,
  });
  expect(last.personalAccuracy!, 'own-domain accuracy of the final global adapter vs zero-shot').toBeGreaterThan(last.zeroShotPersonalAccuracy! + 0.02);
  expect(last.heldOutAccuracy, 'held-out style accuracy of the final global adapter vs zero-shot').toBeGreaterThan(last.zeroShotHeldOutAccuracy - 0.03);

  for (const page of pages) {
    await expect(page.getByTestId('round')).toHaveText(`${ROUNDS} of ${ROUNDS}`);
    await expect(page.getByTestId('contributed')).toContainText(`${ROUNDS} rounds`);
    await page.screenshot({ path: test.info().outputPath(`volunteer-${pages.indexOf(page)}.png`), fullPage: true });
  }
  expect(consoleErrors).toEqual([]);
});
