import { expect, test } from '@playwright/test';
import type { HeadAccuracy, RoundMetricsRow } from '@clipfed/protocol';
import { createRun, getMetrics, getRun, openWasmTabs, watchPageErrors } from './run-api';

const ROUNDS = 2;
const MATCH_STEPS = 4;
const RETRAIN_EPOCHS = 4;

/** A CLIP2FL row of metrics.jsonl always has the balanced head (docs/RESULTS.md, "what metrics.jsonl holds"). */
type Clip2flRow = RoundMetricsRow & { balancedHead: HeadAccuracy };

test('two wasm tabs finish a CLIP2FL run with KD on Fashion-MNIST-LT, sending class gradients every round', async ({ browser, request }) => {
  test.setTimeout(12 * 60_000);
  // A small Fashion-MNIST-LT (head class 100, IF 10: 100 … 10 images per class, 404 in all) split into two client
  // shards, 40 images per tab so two tabs sharing two cores encode quickly, 10 test images per class for the server's
  // evaluation, and a short server step (4 matching steps, 4 re-training epochs of R).
  const runId = await createRun(request, {
    name: 'e2e clip2fl two tabs',
    dataset: 'fashion-mnist-lt',
    algorithm: 'clip2fl',
    rounds: ROUNDS,
    minClients: 2,
    fashionMnistLt: { imbalanceFactor: 10, headClassSize: 100, clientShards: 2, testPerClass: 10 },
    maxImagesPerClient: 40,
    learningRate: 1e-3,
    roundDeadlineMs: 600_000,
    clip2fl: { kd: true, featuresPerClass: 6, matchSteps: MATCH_STEPS, retrainEpochs: RETRAIN_EPOCHS, retrainLr: 0.5, gradientRepeats: 2 },
  });

  const consoleErrors: string[] = [];
  const pages = await openWasmTabs(browser, runId, 2, consoleErrors);

  await expect
    .poll(async () => (await getRun(request, runId)).state.status, { timeout: 10 * 60_000, intervals: [5_000] })
    .toBe('finished');

  const snapshot = (await getRun(request, runId)) as Awaited<ReturnType<typeof getRun>> & { config: { algorithm: string; clip2fl: { kd: boolean } } };
  expect(snapshot.config.algorithm).toBe('clip2fl');
  expect(snapshot.config.clip2fl.kd).toBe(true);
  const clientIds = snapshot.clients.map((c) => c.clientId).sort();
  expect(clientIds).toHaveLength(2);
  for (const c of snapshot.clients) {
    expect(c.capabilities.onnxBackend).toBe('wasm');
    expect(c.roundsContributed, `${c.clientId} contributed every round`).toBe(ROUNDS);
  }

  const metrics = (await getMetrics(request, runId)) as Clip2flRow[];
  expect(metrics.map((m) => m.round)).toEqual([0, 1, 2]);
  for (const m of metrics) {
    // Both heads are measured every round, round 0 included: text prototypes, and the balanced classifier R.
    for (const [head, acc] of [['text-prototype', m.accuracy], ['balanced', m.balancedHead?.accuracy]] as const) {
      expect(acc, `round ${m.round}: ${head} head accuracy`).toEqual(expect.any(Number));
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
    }
  }
  for (const m of metrics.slice(1)) {
    const where = `round ${m.round}`;
    expect([...m.participants].sort(), `${where}: both tabs took part`).toEqual(clientIds);
    const step = m.serverStep!;
    expect(step, `${where}: the CLIP2FL server step ran`).toBeDefined();
    test.info().annotations.push({ type: `round ${m.round}`, description: JSON.stringify({ accuracy: m.accuracy, balanced: m.balancedHead.accuracy, serverStep: step }) });
    // Class gradients of R from every tab were used (a CLIP2FL upload without them is refused, so every participant
    // counted here sent its own), and matched against the federated features of at least one class.
    expect(step.clientsWithGradients, `${where}: class gradients from every tab`).toBe(clientIds.length);
    expect(step.matchedClasses.length, `${where}: matched classes`).toBeGreaterThan(0);
    for (const c of step.matchedClasses) expect(c >= 0 && c < 10, `${where}: class ${c}`).toBe(true);
    expect(step.matchSteps).toBe(MATCH_STEPS);
    expect(Number.isFinite(step.matchLoss), `${where}: match loss ${step.matchLoss}`).toBe(true);
    // The federated feature bank moved.
    expect(step.bankShift, `${where}: feature bank shift`).toBeGreaterThan(0);
    expect(Number.isFinite(step.bankShift)).toBe(true);
    // A fresh balanced classifier R was trained on the bank.
    expect(step.retrainEpochs).toBe(RETRAIN_EPOCHS);
    expect(step.retrainMs, `${where}: re-training time`).toBeGreaterThan(0);
    expect(Number.isFinite(step.retrainLoss), `${where}: re-training loss ${step.retrainLoss}`).toBe(true);
  }

  for (const [i, page] of pages.entries()) {
    await expect(page.getByTestId('message')).toHaveText(/all rounds done|run finished/);
    await expect(page.getByTestId('round')).toHaveText(`${ROUNDS} of ${ROUNDS}`);
    await expect(page.getByTestId('contributed')).toContainText(`${ROUNDS} rounds`);
    await page.screenshot({ path: test.info().outputPath(`volunteer-${i}.png`), fullPage: true });
  }

  // The dashboard charts both heads, and describes the run by its long tail (it has no held-out style).
  const dashboard = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  watchPageErrors(dashboard, 'dashboard', consoleErrors);
  await dashboard.goto(`/dashboard.html?run=${runId}`);
  await expect(dashboard.getByTestId('run-summary')).toContainText('clip2fl on fashion-mnist-lt (imbalance factor 10, 2 shards');
  await expect(dashboard.getByTestId('run-summary')).not.toContainText('held-out');
  const accuracyChart = dashboard.getByTestId('chart-accuracy');
  await expect(accuracyChart).toHaveAttribute('data-points', String(ROUNDS + 1));
  await expect(accuracyChart.locator('.u-legend')).toContainText('Global accuracy (text prototypes)');
  await expect(accuracyChart.locator('.u-legend')).toContainText('Balanced head (CLIP2FL / CReFF)');
  await expect(accuracyChart.locator('.u-legend')).not.toContainText('Held-out style');
  await expect(dashboard.getByTestId('chart-shots')).toBeVisible();
  await expect(dashboard.getByTestId('chart-shots').locator('.u-legend')).toContainText('Balanced head, many-shot');
  const last = metrics.at(-1)!;
  await expect(dashboard.locator('[data-stat="balanced"] .stat-value')).toHaveText(`${(100 * last.balancedHead.accuracy).toFixed(1)} %`);
  await dashboard.screenshot({ path: test.info().outputPath('dashboard-clip2fl.png'), fullPage: true });

  expect(consoleErrors).toEqual([]);
});
