import { expect, test, type Page } from '@playwright/test';
import { createRun, getRun, watchPageErrors } from './run-api';

interface PageStatus {
  stage: string;
  clientId?: string;
  shardLabel?: string;
}
const pageStatus = (page: Page) => page.evaluate(() => (window as unknown as { clipfed?: { status?: PageStatus } }).clipfed?.status);

async function readyStatus(page: Page): Promise<PageStatus> {
  await expect.poll(async () => (await pageStatus(page))?.stage, { timeout: 180_000 }).toBe('waiting');
  return (await pageStatus(page))!;
}

test('a volunteer who reloads the tab comes back as the same client, with the same shard and no abandoned session', async ({ browser, request }) => {
  // More clients than will come: the run waits, so the test is about joining alone.
  const runId = await createRun(request, { name: 'e2e reload', rounds: 1, minClients: 5, maxImagesPerClient: 16 });
  const errors: string[] = [];
  const context = await browser.newContext();
  const page = await context.newPage();
  watchPageErrors(page, 'tab', errors);
  await page.goto(`/?run=${runId}&backend=wasm`);
  const before = await readyStatus(page);
  expect(before.clientId).toBeTruthy();

  await page.reload();
  const after = await readyStatus(page);
  expect(after.clientId).toBe(before.clientId);
  expect(after.shardLabel).toBe(before.shardLabel);
  const clients = (await getRun(request, runId)).clients as unknown as { clientId: string; connected: boolean }[];
  expect(clients).toEqual([expect.objectContaining({ clientId: before.clientId, connected: true })]);

  // Another tab (its own sessionStorage) is another volunteer.
  const other = await (await browser.newContext()).newPage();
  watchPageErrors(other, 'other tab', errors);
  await other.goto(`/?run=${runId}&backend=wasm`);
  expect((await readyStatus(other)).clientId).not.toBe(before.clientId);
  expect(errors).toEqual([]);
});
