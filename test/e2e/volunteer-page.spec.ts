import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { decodeTensorFile } from '@clipfed/protocol';
import { encodePngRgb } from '../../packages/data/src/png';
import { E2E_OPERATOR_TOKEN } from '../../playwright.config';
import { createRun, getAggregation, getMetrics, getRun, watchPageErrors } from './run-api';

const ROUNDS = 2;
const CLASSES = 3;
const IMAGES_PER_CLASS = 4;
const PICKED = CLASSES * IMAGES_PER_CLASS;
/** The run's limit per volunteer (`maxImagesPerClient`), below what the volunteer picks: the tab keeps to it. */
const MAX_IMAGES = 8;
/** Evenly spaced through the 12 picked (sorted by folder): 3, 3 and 2 of each class's 4. */
const USED_PER_CLASS = [3, 3, 2];
const STEPS = ['download', 'encode', 'train', 'share'];

interface PageStatus {
  stage: string;
  clientId?: string;
  shardLabel?: string;
  contributed: { rounds: number; imagesEncoded: number; computeMs: number; bytesSent: number };
}
interface MetricsRowExtra {
  round: number;
  participants: string[];
  numSamples: number;
  bytesUp: number;
}
interface ClientSummary {
  clientId: string;
  connected: boolean;
  ready: boolean;
  numSamples: number;
  roundsContributed: number;
}

const pageStatus = (page: Page) => page.evaluate(() => (window as unknown as { clipfed: { status: PageStatus } }).clipfed.status);

async function operator(request: APIRequestContext, runId: string, action: 'pause' | 'resume' | 'stop'): Promise<void> {
  const res = await request.post(`/api/runs/${runId}/${action}`, { headers: { authorization: `Bearer ${E2E_OPERATOR_TOKEN}` } });
  expect(res.ok(), await res.text()).toBe(true);
}

async function clientsOf(request: APIRequestContext, runId: string): Promise<ClientSummary[]> {
  return (await getRun(request, runId)).clients as unknown as ClientSummary[];
}

/** Presses Tab until `target` has the focus: the control is reachable from the keyboard alone. */
async function tabTo(page: Page, target: Locator, maxPresses = 12): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${target} not reached with ${maxPresses} presses of Tab`);
}

/** A seeded xorshift generator, so the picked images are the same on every run. */
function noise(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) & 0xff;
  };
}

/**
 * A folder of labelled images, one sub-folder per class, plus a text file the page must ignore. The images are
 * noise (incompressible, so sending them would show in the bytes) tinted per class.
 */
async function writeOwnImages(dir: string, classNames: string[]): Promise<Buffer[]> {
  const files: Buffer[] = [];
  const size = 96;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'notes.txt'), 'not an image');
  for (const [c, name] of classNames.entries()) {
    await mkdir(join(dir, name), { recursive: true });
    for (let i = 0; i < IMAGES_PER_CLASS; i++) {
      const rand = noise(1000 * (c + 1) + i);
      const rgb = new Uint8Array(size * size * 3);
      for (let p = 0; p < rgb.length; p++) rgb[p] = (rand() >> 1) + (p % 3 === c ? 128 : 0);
      const png = Buffer.from(encodePngRgb(rgb, size, size));
      await writeFile(join(dir, name, `picture-${i}.png`), png);
      files.push(png);
    }
  }
  return files;
}

/** Records, inside the page, every change of the pipeline's current step and of the message. */
async function recordPipeline(page: Page): Promise<void> {
  await page.evaluate(() => {
    type Entry = { current: string | null; activeClass: string | null; highlighted: boolean };
    const w = window as unknown as { pipeline_: { entries: Entry[]; messages: string[] } };
    w.pipeline_ = { entries: [], messages: [] };
    const list = document.querySelector('.pipeline')!;
    const message = document.getElementById('message')!;
    const note = () => {
      const items = [...list.querySelectorAll<HTMLElement>('li')];
      const current = items.find((li) => li.getAttribute('aria-current') === 'step');
      const active = items.find((li) => li.classList.contains('active'));
      // The current step looks different from every other step.
      const bg = (li: HTMLElement) => getComputedStyle(li).backgroundColor;
      const highlighted = !!current && items.every((li) => li === current || bg(li) !== bg(current));
      const entry: Entry = {
        current: current?.dataset.step ?? null,
        activeClass: active?.dataset.step ?? null,
        highlighted,
      };
      if (JSON.stringify(w.pipeline_.entries.at(-1)) !== JSON.stringify(entry)) w.pipeline_.entries.push(entry);
      const m = message.textContent ?? '';
      if (w.pipeline_.messages.at(-1) !== m) w.pipeline_.messages.push(m);
    };
    note();
    new MutationObserver(note).observe(list, { attributes: true, subtree: true, attributeFilter: ['class', 'aria-current'] });
    new MutationObserver(note).observe(message, { childList: true, characterData: true, subtree: true });
  });
}

const pipelineHistory = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { pipeline_: { entries: { current: string | null; activeClass: string | null; highlighted: boolean }[]; messages: string[] } })
        .pipeline_,
  );

async function expectNoSeriousAxeViolations(page: Page, when: string): Promise<void> {
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), `axe, ${when}`).toEqual([]);
}

test('a volunteer trains on their own images, which never leave the tab; the page is accessible and keyboard-operable', async ({ browser, request }) => {
  const runId = await createRun(request, {
    name: 'e2e volunteer page',
    rounds: ROUNDS,
    minClients: 1,
    localEpochs: 1,
    maxImagesPerClient: MAX_IMAGES,
    roundDeadlineMs: 600_000,
    updateDtype: 'float16',
  });
  // Held by the operator until the tab is ready, so pausing the tab and leaving can be tried at a quiet moment.
  await operator(request, runId, 'pause');
  const { classNames } = (await getRun(request, runId)) as unknown as { classNames: string[] };
  const picked = classNames.filter((c) => /^[a-z][a-z ]*$/.test(c)).slice(0, CLASSES);
  expect(picked).toHaveLength(CLASSES);
  const folder = test.info().outputPath('my-pictures');
  const pngs = await writeOwnImages(folder, picked);
  // A first pick with a folder that is not a class of the run.
  const wrongFolder = test.info().outputPath('wrong-pictures');
  const wrongPngs = await writeOwnImages(wrongFolder, [picked[0], 'holiday snaps']);

  const consoleErrors: string[] = [];
  const watch = (page: Page, who: string) => watchPageErrors(page, who, consoleErrors);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Everything the tab sends: websocket frames, and the bodies of any HTTP request (page or worker).
  const sentFrames: Buffer[] = [];
  const requestBodies: string[] = [];
  context.on('request', (r) => {
    const body = r.postDataBuffer();
    if (body?.length || !['GET', 'HEAD'].includes(r.method())) requestBodies.push(`${r.method()} ${r.url()} (${body?.length ?? 0} bytes)`);
  });
  const page = await context.newPage();
  watch(page, 'own-images tab');
  page.on('websocket', (ws) => ws.on('framesent', (f) => sentFrames.push(Buffer.isBuffer(f.payload) ? f.payload : Buffer.from(f.payload))));
  await page.goto(`/?run=${runId}&own=1&backend=wasm`);

  // The own-images section says where the images go, before any is picked.
  const section = page.getByRole('region', { name: 'Use your own images' });
  await expect(section).toBeVisible();
  await expect(section).toContainText("The images are read and encoded in this tab and never leave your device; only the trained model's weights are shared.");
  await expect(page.locator('header')).toContainText('Your images stay in this tab');
  await expect(page.getByTestId('message')).toHaveText('waiting for your images');
  await expect(page.getByRole('link', { name: 'Use my own images instead of the built-in data' })).toBeHidden();
  const pipeline = page.getByRole('list', { name: 'What this tab does' });
  await expect(pipeline.getByRole('listitem')).toHaveText(['Download model', 'Encode images', 'Train model', 'Share weights only']);
  for (const item of await pipeline.getByRole('listitem').all()) await expect(item).toBeVisible();
  // Nothing to pause or leave before there is a client.
  await expect(page.getByRole('button', { name: 'Pause' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Leave the run' })).toBeDisabled();
  await expectNoSeriousAxeViolations(page, 'own-images picker');
  await page.screenshot({ path: test.info().outputPath('volunteer-own-picker-desktop.png'), fullPage: true });
  await recordPipeline(page);

  // The folder picker is the first stop of the keyboard; Space opens it.
  const picker = page.getByLabel('Choose a folder');
  await tabTo(page, picker, 3);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 30_000 }), page.keyboard.press('Space')]);
  expect(chooser.isMultiple()).toBe(true);
  await chooser.setFiles(wrongFolder);

  // Known only once the tab has joined: the folder is not a class. The tab says which classes the run has and
  // asks again, keeping its place in the run (no reload, no error state).
  const problem = page.getByRole('alert');
  await expect(problem).toHaveText(`these folders are not classes of this run: holiday snaps. Use one folder per class, named: ${classNames.join(', ')}. Pick again.`, { timeout: 5 * 60_000 });
  await expect(picker).toBeEnabled();
  await expect(page.getByText('…or drop image folders here')).toBeVisible();
  await expect(page.getByTestId('message')).toHaveText('waiting for your images');
  await expectNoSeriousAxeViolations(page, 'own-images picked again');
  await picker.setInputFiles(folder);

  // The tab reads, encodes and reports ready with exactly the picked images (the text file is left out).
  // Ready, and told why nothing starts: the operator holds the run.
  await expect(page.getByTestId('message')).toHaveText('paused: paused by the operator', { timeout: 5 * 60_000 });
  await expect(problem).toBeHidden();
  await expect(page.getByTestId('shard')).toHaveText(`your images (${MAX_IMAGES})`);
  await expect(page.getByTestId('contributed')).toContainText(`0 rounds · ${MAX_IMAGES} images encoded`);
  expect((await pageStatus(page)).contributed.imagesEncoded).toBe(MAX_IMAGES);
  await expect(section).toContainText(
    `Using ${MAX_IMAGES} images of the ${PICKED} you picked (this run's limit per volunteer) in ${CLASSES} classes: ${picked.map((c, i) => `${c} (${USED_PER_CLASS[i]})`).join(', ')}.`,
  );
  // One pick per tab: the picker is closed after it.
  await expect(picker).toBeDisabled();
  await expect(page.getByText('…or drop image folders here')).toBeHidden();
  const [own] = await clientsOf(request, runId);
  expect(own).toMatchObject({ connected: true, ready: true, numSamples: MAX_IMAGES });
  // Preparation done, nothing running: download and encode are done, no step is current.
  await expect(pipeline.locator('li.done')).toHaveText(['Download model', 'Encode images']);
  await expect(pipeline.locator('[aria-current="step"]')).toHaveCount(0);

  // Pause with Enter: the tab disconnects (the server sees it go), and says so.
  const pause = page.getByRole('button', { name: 'Pause' });
  await tabTo(page, pause);
  await page.keyboard.press('Enter');
  const resume = page.getByRole('button', { name: 'Resume' });
  await expect(resume).toBeFocused();
  await expect(page.getByTestId('message')).toHaveText('paused; nothing new starts and nothing is sent until you resume');
  await expect.poll(async () => (await clientsOf(request, runId)).find((c) => c.clientId === own.clientId)?.connected).toBe(false);
  // Resume with Space: back under the same identity, ready, without encoding again.
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeFocused();
  await expect(page.getByTestId('message')).toHaveText('paused: paused by the operator');
  await expect.poll(async () => (await clientsOf(request, runId)).find((c) => c.clientId === own.clientId)).toMatchObject({ connected: true, ready: true });
  expect(await clientsOf(request, runId)).toHaveLength(1);

  // Leave, from the keyboard, in a second tab (built-in data) that joins the run and leaves before it is ready.
  const other = await (await browser.newContext()).newPage();
  watch(other, 'leaving tab');
  await other.goto(`/?run=${runId}&backend=wasm`);
  await expect.poll(async () => (await clientsOf(request, runId)).length, { timeout: 120_000 }).toBe(2);
  const leave = other.getByRole('button', { name: 'Leave the run' });
  await expect(leave).toBeEnabled();
  await tabTo(other, leave);
  await other.keyboard.press('Enter');
  await expect(other.getByTestId('message')).toHaveText('left the run');
  await expect(leave).toBeDisabled();
  await expect(other.getByRole('button', { name: 'Pause' })).toBeDisabled();
  await expect
    .poll(async () => (await clientsOf(request, runId)).filter((c) => c.clientId !== own.clientId).map((c) => c.connected))
    .toEqual([false]);
  // Whatever the tab was still loading, the page keeps saying it left.
  await other.waitForTimeout(3_000);
  await expect(other.getByTestId('message')).toHaveText('left the run');
  await other.context().close();

  // The operator lets the run go: only the own-images tab is ready, so it does every round.
  await operator(request, runId, 'resume');
  await expect
    .poll(async () => (await getRun(request, runId)).state.status, { timeout: 5 * 60_000, intervals: [2_000] })
    .toBe('finished');
  await expect(page.getByTestId('round')).toHaveText(`${ROUNDS} of ${ROUNDS}`);
  await expect(page.getByTestId('contributed')).toContainText(`${ROUNDS} rounds · ${MAX_IMAGES} images encoded`);

  // The server got this tab's update in every round, weighted by the number of images picked.
  const metrics = (await getMetrics(request, runId)) as unknown as MetricsRowExtra[];
  expect(metrics.map((m) => m.round)).toEqual([0, 1, 2]);
  const global = decodeTensorFile(new Uint8Array(await (await request.get(`/api/runs/${runId}/global`)).body()));
  const adapterBytes = 2 * global.tensors.reduce((s, t) => s + t.data.length, 0); // float16 on the wire
  for (const m of metrics.slice(1)) {
    expect(m.participants, `round ${m.round}`).toEqual([own.clientId]);
    expect(m.numSamples, `round ${m.round}`).toBe(MAX_IMAGES);
    // What came up in the round is the adapter, and nothing more.
    expect(m.bytesUp, `round ${m.round}`).toBe(adapterBytes);
    const agg = await getAggregation(request, runId, m.round);
    expect(agg.uploads.map((u) => [u.clientId, u.numSamples])).toEqual([[own.clientId, MAX_IMAGES]]);
  }
  expect((await clientsOf(request, runId)).find((c) => c.clientId === own.clientId)?.roundsContributed).toBe(ROUNDS);
  const status = await pageStatus(page);
  expect(status.contributed).toMatchObject({ rounds: ROUNDS, imagesEncoded: MAX_IMAGES, bytesSent: ROUNDS * adapterBytes });

  // No image bytes left the tab: everything it sent over the socket is the adapters plus small control messages,
  // far less than the picked files (or their pixels), none of the files' bytes appear in it, and no HTTP request had a body.
  const sentBytes = sentFrames.reduce((s, f) => s + f.length, 0);
  const fileBytes = pngs.reduce((s, f) => s + f.length, 0);
  test.info().annotations.push({ type: 'upload', description: `sent ${sentBytes} bytes; adapters ${ROUNDS * adapterBytes}; picked files ${fileBytes}` });
  expect(sentBytes).toBeGreaterThanOrEqual(ROUNDS * adapterBytes);
  expect(fileBytes).toBeGreaterThan(200_000);
  expect(sentBytes - ROUNDS * adapterBytes).toBeLessThan(64 * 1024);
  for (const [i, png] of [...pngs, ...wrongPngs].entries()) {
    const fingerprint = png.subarray(png.length >> 1, (png.length >> 1) + 64);
    expect(sentFrames.some((f) => f.includes(fingerprint)), `bytes of picked image ${i} sent`).toBe(false);
  }
  expect(requestBodies).toEqual([]);

  // The pipeline: each step was current in turn (download, encode, train, share), highlighted, with the class and
  // aria-current agreeing; the reading and encoding messages said the images stay here; at the end all are done.
  const history = await pipelineHistory(page);
  const currents = history.entries.map((e) => e.current).filter((c): c is string => c !== null);
  expect(currents.filter((c, i) => c !== currents[i - 1])).toEqual(['download', 'encode', ...Array(ROUNDS).fill(['train', 'share']).flat()]);
  for (const e of history.entries) {
    expect(e.activeClass).toBe(e.current);
    if (e.current) expect(e.highlighted, `step ${e.current} highlighted`).toBe(true);
  }
  expect(history.messages).toContain('reading your images (they stay on this device)');
  expect(history.messages).toContain(`encoding ${MAX_IMAGES} images (once; they never leave this device)`);
  expect(history.messages).toContain('uploading the FedCLIP adapter for round 1 (only its weights leave this device)');
  await expect(pipeline.locator('li.done')).toHaveCount(STEPS.length);
  await expect(pipeline.locator('[aria-current="step"]')).toHaveCount(0);
  // The run is over: nothing left to pause or leave.
  await expect(page.getByRole('button', { name: 'Pause' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Leave the run' })).toBeDisabled();

  await expectNoSeriousAxeViolations(page, 'run finished, desktop');
  await page.screenshot({ path: test.info().outputPath('volunteer-desktop.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  // Nothing wider than the phone's screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expect(pipeline).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('volunteer-phone.png'), fullPage: true });
  await expectNoSeriousAxeViolations(page, 'run finished, phone');

  expect(consoleErrors).toEqual([]);
  await context.close();
});
