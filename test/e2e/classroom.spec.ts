import { mkdir } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { RUN_PRESETS } from '@clipfed/protocol';
import { E2E_LAN_HOST, E2E_PORT } from '../../playwright.config';
import { createRun, getRun, watchPageErrors } from './run-api';

const ROUNDS = 3;
/** A phone in portrait (CSS pixels of a common 6.1" phone); the page must read without sideways scrolling. */
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** README screenshots are written here when set (`npm run screenshots`); otherwise they are test artifacts. */
const SHOTS = process.env.README_SCREENSHOTS_DIR ?? 'test-results/e2e/classroom';

async function seriousAxeFindings(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

const overflowsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

test('a classroom run: the projector view follows two volunteers, and a phone shows the learning curve it helped to move', async ({ browser, request }) => {
  await mkdir(SHOTS, { recursive: true });
  const errors: string[] = [];
  // The run `npm start` shows (the demo preset: domains the model never saw), cut to a few rounds on small shards.
  const runId = await createRun(request, {
    ...RUN_PRESETS.demo,
    name: 'classroom demo',
    rounds: ROUNDS,
    minClients: 2,
    localEpochs: 3,
    maxImagesPerClient: 48,
    roundDeadlineMs: 600_000,
  });

  // The projector computer: large join code, volunteer count and curve; nothing to operate.
  const projector = await (await browser.newContext({ viewport: { width: 1600, height: 900 } })).newPage();
  watchPageErrors(projector, 'projector', errors);
  await projector.goto(`/dashboard.html?run=${runId}&view=projector`);
  await expect(projector.getByTestId('run-heading')).toHaveText('Run: classroom demo');
  await expect(projector.locator('[data-stat="volunteers"] .stat-value')).toHaveText('0');
  await expect(projector.getByTestId('create-form')).toBeHidden();
  await expect(projector.getByTestId('run-list')).toBeHidden();
  await expect(projector.getByRole('button', { name: 'Stop' })).toBeHidden();
  const qr = projector.getByTestId('join-qr');
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  // Large enough to scan from the back of a room: at least 40 % of the screen's height.
  expect((await qr.boundingBox())!.height).toBeGreaterThanOrEqual(0.4 * 900);
  await expect(projector.getByTestId('view-link')).toHaveAttribute('href', `?run=${runId}`);

  // Two volunteers: a phone on the room's network (plain http on an address that is not localhost, so not a secure
  // context, as the join link printed by --classroom) and a laptop.
  const phone = await (await browser.newContext(PHONE)).newPage();
  watchPageErrors(phone, 'phone', errors);
  await phone.goto(`http://${E2E_LAN_HOST}:${E2E_PORT}/?run=${runId}&backend=wasm`);
  expect(await phone.evaluate(() => window.isSecureContext)).toBe(false);
  const laptop = await (await browser.newContext()).newPage();
  watchPageErrors(laptop, 'laptop', errors);
  await laptop.goto(`/?run=${runId}&backend=wasm`);
  await expect(projector.locator('[data-stat="volunteers"] .stat-value')).toHaveText('2', { timeout: 120_000 });

  await expect
    .poll(async () => (await getRun(request, runId)).state.status, { timeout: 13 * 60_000, intervals: [3_000] })
    .toBe('finished');

  // The phone: every round on its chart (round 0 is zero-shot CLIP), its part in the run, its own accuracy.
  await expect(phone.getByTestId('learning-chart')).toHaveAttribute('data-points', String(ROUNDS + 1));
  await expect(phone.getByTestId('contribution')).toHaveText(`Your tab contributed ${ROUNDS} of ${ROUNDS} rounds`);
  await expect(phone.getByTestId('train-accuracy')).toHaveText(/^\d+\.\d %$/);
  await expect(phone.getByTestId('learning-chart').locator('canvas')).toBeVisible();
  expect((await phone.getByTestId('learning-chart').boundingBox())!.width).toBeLessThanOrEqual(PHONE.viewport.width);
  expect(await overflowsSideways(phone), 'the volunteer page scrolls sideways on a phone').toBe(false);
  expect(await seriousAxeFindings(phone)).toEqual([]);
  await phone.getByTestId('learning-chart').scrollIntoViewIfNeeded();
  await phone.screenshot({ path: `${SHOTS}/volunteer-phone.png`, fullPage: true });

  // The projector: the finished run's numbers and curve.
  await expect(projector.locator('[data-stat="round"] .stat-value')).toHaveText(`${ROUNDS} / ${ROUNDS}`);
  await expect(projector.getByTestId('chart-accuracy')).toHaveAttribute('data-points', String(ROUNDS + 1));
  await expect(projector.locator('[data-stat="accuracy"] .stat-value')).toHaveText(/^\d+\.\d %$/);
  expect(await seriousAxeFindings(projector)).toEqual([]);
  await projector.screenshot({ path: `${SHOTS}/dashboard-projector.png` });

  // The full dashboard of the same run, for the operator.
  await projector.getByTestId('view-link').click();
  await expect(projector.getByTestId('create-form')).toBeVisible();
  await projector.setViewportSize({ width: 1280, height: 900 });
  await projector.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });

  // No console error on the phone's plain-http LAN page either (the server sends no opener policy there, which
  // Chromium would ignore and complain about).
  expect(errors).toEqual([]);
});
