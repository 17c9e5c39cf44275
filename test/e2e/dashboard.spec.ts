import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { E2E_OPERATOR_TOKEN } from '../../playwright.config';
import { getMetrics, getRun, watchPageErrors } from './run-api';

const ROUNDS = 2;

/** Records, inside the page, every text the progress headline shows and every point count of the accuracy chart. */
async function recordDashboardHistory(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { history_: { headlines: string[]; points: string[] } };
    w.history_ = { headlines: [], points: [] };
    const headline = document.getElementById('progress-headline')!;
    const chart = document.getElementById('chart-accuracy')!;
    const note = () => {
      const h = headline.textContent ?? '';
      if (w.history_.headlines.at(-1) !== h) w.history_.headlines.push(h);
      const p = chart.dataset.points ?? '';
      if (w.history_.points.at(-1) !== p) w.history_.points.push(p);
    };
    note();
    new MutationObserver(note).observe(headline, { childList: true, characterData: true, subtree: true });
    new MutationObserver(note).observe(chart, { attributes: true, attributeFilter: ['data-points'] });
  });
}

const dashboardHistory = (page: Page) =>
  page.evaluate(() => (window as unknown as { history_: { headlines: string[]; points: string[] } }).history_);

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split('\r\n');
  const columns = header.split(',');
  // The columns checked here (round, accuracies) never need quoting.
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i], v])));
}

test('the operator dashboard creates a run, follows two volunteer tabs live and exports the metrics', async ({ browser, request, baseURL }) => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  watchPageErrors(page, 'dashboard', consoleErrors);
  await page.goto('/dashboard');
  await expect(page.locator('#connection')).toHaveText('Live');

  // Create a small run through the form.
  await page.getByLabel('Operator token').fill(E2E_OPERATOR_TOKEN);
  await page.getByLabel('Name', { exact: true }).fill('e2e dashboard');
  await page.getByLabel('Rounds', { exact: true }).fill(String(ROUNDS));
  await page.getByLabel('Volunteers to start').fill('2');
  await page.getByLabel('Local epochs').fill('1');
  await page.getByLabel('Round deadline (seconds)').fill('600');
  await page.getByRole('button', { name: 'Create run' }).click();
  // The first run on a dataset makes the server encode its evaluation images (cached afterwards).
  await expect(page.getByTestId('notice')).toContainText('Created run e2e dashboard', { timeout: 10 * 60_000 });
  await expect(page.getByTestId('run-heading')).toHaveText('Run: e2e dashboard');
  const runId = new URL(page.url()).searchParams.get('run')!;
  expect(runId).toBeTruthy();
  expect((await getRun(request, runId)).state.status).toBe('waiting');
  await expect(page.getByTestId('run-list').locator(`tr[data-run-id="${runId}"]`)).toContainText('waiting');

  // The run is selectable from the run list with the keyboard alone.
  await page.goto('/dashboard.html');
  await page.getByTestId('run-list').locator(`tr[data-run-id="${runId}"]`).getByRole('link', { name: 'e2e dashboard' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-heading')).toHaveText('Run: e2e dashboard');
  expect(new URL(page.url()).searchParams.get('run')).toBe(runId);

  // Pause and resume from the controls, before anyone joins.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('progress-headline')).toHaveText(`Paused after round 0 of ${ROUNDS}`);
  await expect(page.getByRole('button', { name: 'Resume' })).toBeEnabled();
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('progress-headline')).toHaveText(/^Not started: waiting for 2 more volunteers \(2 needed/);

  // The join link and the QR code lead to the volunteer page of this run.
  const joinUrl = `${baseURL}/?run=${runId}`;
  await expect(page.getByTestId('join-link')).toHaveAttribute('href', joinUrl);
  const qr = page.getByTestId('join-qr');
  await expect(qr).toHaveAttribute('alt', `QR code that opens ${joinUrl}`);
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  const qrResponse = await request.get((await qr.getAttribute('src'))!);
  expect(qrResponse.headers()['content-type']).toBe('image/svg+xml');
  expect(await qrResponse.text()).toMatch(/^<svg /);

  await recordDashboardHistory(page);

  // Two volunteer tabs join through the link.
  const href = (await page.getByTestId('join-link').getAttribute('href'))!;
  const volunteers: Page[] = [];
  for (let i = 0; i < 2; i++) {
    const tab = await (await browser.newContext()).newPage();
    tab.on('pageerror', (e) => consoleErrors.push(`volunteer ${i}: ${e.message}`));
    await tab.goto(`${href}&backend=wasm`);
    volunteers.push(tab);
  }
  const rows = page.getByTestId('client-table').locator('tbody tr');
  await expect(rows).toHaveCount(2, { timeout: 120_000 });
  await expect(page.locator('#client-count')).toHaveText('(2 connected)');

  await expect
    .poll(async () => (await getRun(request, runId)).state.status, { timeout: 13 * 60_000, intervals: [3_000] })
    .toBe('finished');
  await expect(page.getByTestId('progress-headline')).toHaveText(`Finished: all ${ROUNDS} rounds done`);

  // Live updates: the accuracy chart gained one point per round, and each round showed who was asked.
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', String(ROUNDS + 1));
  const history = await dashboardHistory(page);
  expect(history.points).toEqual(['1', '2', '3']);
  for (let round = 1; round <= ROUNDS; round++) {
    expect(history.headlines, `round ${round} seen open`).toContain(`Round ${round} of ${ROUNDS}: 0 of 2 selected volunteers reported`);
  }
  for (const id of ['chart-per-set', 'chart-traffic', 'chart-timing']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-points', String(ROUNDS + 1));
  }

  const snapshot = await getRun(request, runId);
  const clientIds = snapshot.clients.map((c) => c.clientId);
  expect(clientIds).toHaveLength(2);
  for (const clientId of clientIds) {
    await expect(page.getByTestId('client-table').locator(`tr[data-client-id="${clientId}"]`)).toContainText('ONNX wasm, tfjs wasm');
  }

  // Exports: the downloaded files hold the same rows as the metrics endpoint.
  const metrics = await getMetrics(request, runId);
  expect(metrics.map((m) => m.round)).toEqual([0, 1, 2]);
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(csvDownload.suggestedFilename()).toBe(`${runId}-metrics.csv`);
  const csvRows = parseCsv(await readFile((await csvDownload.path()), 'utf8'));
  expect(csvRows.map((r) => Number(r.round))).toEqual(metrics.map((m) => m.round));
  expect(csvRows.map((r) => Number(r.accuracy))).toEqual(metrics.map((m) => m.accuracy));
  expect(csvRows.map((r) => Number(r.zeroShotAccuracy))).toEqual(metrics.map((m) => m.zeroShotAccuracy));
  expect(csvRows.map((r) => r.participants.split(' ').filter(Boolean).sort())).toEqual(metrics.map((m) => [...m.participants].sort()));
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  expect(jsonDownload.suggestedFilename()).toBe(`${runId}-metrics.json`);
  expect(JSON.parse(await readFile((await jsonDownload.path()), 'utf8'))).toEqual(metrics);

  await page.getByText('Metrics table').click();
  await expect(page.getByTestId('metrics-table').locator('tbody tr')).toHaveCount(ROUNDS + 1);
  await page.screenshot({ path: test.info().outputPath('dashboard-desktop.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId('chart-accuracy').locator('canvas')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('dashboard-phone.png'), fullPage: true });

  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);

  expect(consoleErrors).toEqual([]);
  for (const tab of volunteers) await tab.context().close();
  await context.close();
});
