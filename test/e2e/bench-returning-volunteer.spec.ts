import { expect, test, type Page } from '@playwright/test';
import { createRun } from './run-api';

interface PageStatus {
  stage: string;
  contributed: { imagesEncoded: number };
}

async function visit(page: Page, runId: string) {
  const modelFiles: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/model/')) modelFiles.push(path);
  });
  await page.goto(`/?run=${runId}`);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { clipfed?: { status?: PageStatus } }).clipfed?.status?.stage), { timeout: 5 * 60_000 })
    .toBe('waiting');
  const status = await page.evaluate(() => (window as unknown as { clipfed: { status: PageStatus } }).clipfed.status);
  return { status, modelFiles, backend: (await page.getByTestId('backend').textContent()) ?? '' };
}

/**
 * A volunteer who comes back (the same browser profile, the next run of the same task) downloads nothing but
 * the model's manifest, encodes no image again, and does not measure the backends again: model files come from
 * Cache Storage, image features from IndexedDB, the backend choice from localStorage.
 */
test('a returning volunteer re-downloads no model file, re-encodes no image and re-measures no backend', async ({ browser, request }) => {
  // One tab per run and two clients needed: no round starts, the tab only prepares (what a return would redo).
  const config = { rounds: 1, minClients: 2, roundDeadlineMs: 600_000 };
  const context = await browser.newContext();

  const first = await visit(await context.newPage(), await createRun(request, { ...config, name: 'first visit' }));
  expect(first.status.contributed.imagesEncoded).toBeGreaterThan(0);
  expect(first.modelFiles.filter((f) => f.endsWith('.onnx')).length).toBeGreaterThanOrEqual(2);
  // No GPU here: the automatic choice measured the software adapter and chose WebAssembly.
  expect(first.backend).toMatch(/ONNX wasm, tfjs wasm — measured now: .*software fallback, so WebAssembly/);
  for (const p of context.pages()) await p.close();

  const again = await visit(await context.newPage(), await createRun(request, { ...config, name: 'second visit' }));
  expect(again.status.contributed.imagesEncoded).toBe(0);
  // Only the manifest is asked for (it is always fetched fresh, to notice a changed model); every file it lists comes from the cache.
  expect([...new Set(again.modelFiles)]).toEqual(['/model/manifest.json']);
  expect(again.backend).toMatch(/ONNX wasm, tfjs wasm — measured on this device before: /);
  await context.close();
});
