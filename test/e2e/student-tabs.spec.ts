import { expect, test } from '@playwright/test';
import type { HeadAccuracy, RoundMetricsRow } from '@clipfed/protocol';
import { createRun, getMetrics, getRun, openWasmTabs, watchPageErrors } from './run-api';

const ROUNDS = 4;

/** A CLIP2FL row of metrics.jsonl always has the balanced head, and on Fashion-MNIST-LT both heads' shot groups. */
type StudentRow = RoundMetricsRow & { balancedHead: HeadAccuracy };

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test("two wasm tabs train CLIP2FL's ResNet-8 student on Fashion-MNIST-LT; its balanced head beats its FedAvg head on the few-shot classes", async ({ browser, request }) => {
  test.setTimeout(14 * 60_000);
  // A small Fashion-MNIST-LT (head class 300, IF 50: 300 … 6 images per class) split into two client shards, 200
  // images per tab, 3 local epochs of the student per round in each tab's Web Worker (about 20 SGD steps), 50 test
  // images per class for the server's evaluation, and a short server step. Few-shot classes (< 10 training images):
  // bags (9) and ankle boots (6).
  const runId = await createRun(request, {
    name: 'e2e student two tabs',
    dataset: 'fashion-mnist-lt',
    algorithm: 'clip2fl',
    clientModel: 'student-resnet8',
    rounds: ROUNDS,
    localEpochs: 3,
    minClients: 2,
    fashionMnistLt: { imbalanceFactor: 50, headClassSize: 300, clientShards: 2, testPerClass: 50 },
    maxImagesPerClient: 200,
    roundDeadlineMs: 600_000,
    clip2fl: { kd: true, featuresPerClass: 20, matchSteps: 20, retrainEpochs: 20, retrainLr: 0.1 },
  });

  const consoleErrors: string[] = [];
  const pages = await openWasmTabs(browser, runId, 2, consoleErrors);
  // The volunteer page names what it trains.
  await expect(pages[0].getByTestId('message')).toHaveText(/training the ResNet-8 student for round 1/, { timeout: 5 * 60_000 });

  await expect
    .poll(async () => (await getRun(request, runId)).state.status, { timeout: 12 * 60_000, intervals: [5_000] })
    .toBe('finished');

  const snapshot = (await getRun(request, runId)) as Awaited<ReturnType<typeof getRun>> & { config: { learningRate: number; clientModel: string } };
  expect(snapshot.config).toMatchObject({ clientModel: 'student-resnet8', learningRate: 0.1 });
  const clientIds = snapshot.clients.map((c) => c.clientId).sort();
  expect(clientIds).toHaveLength(2);
  for (const c of snapshot.clients) expect(c.roundsContributed, `${c.clientId} contributed every round`).toBe(ROUNDS);

  const metrics = (await getMetrics(request, runId)) as StudentRow[];
  expect(metrics.map((m) => m.round)).toEqual([0, 1, 2, 3, 4]);
  for (const m of metrics.slice(1)) {
    expect([...m.participants].sort(), `round ${m.round}: both tabs took part`).toEqual(clientIds);
    // Class gradients of R on the student's 512-d features from both tabs, matched by the server.
    expect(m.serverStep?.clientsWithGradients, `round ${m.round}: class gradients from every tab`).toBe(2);
    expect(m.serverStep?.bankShift).toBeGreaterThan(0);
    test.info().annotations.push({
      type: `round ${m.round}`,
      description: JSON.stringify({ fedAvgHead: m.accuracy, fedAvgShots: m.shots, balanced: m.balancedHead.accuracy, balancedShots: m.balancedHead.shots, zeroShot: m.zeroShotAccuracy }),
    });
  }
  // The student's FedAvg head learns the head classes and misses the tail; the balanced head (student features +
  // R, re-trained on class-balanced federated features) recognises more of the few-shot classes. Averaged over the
  // last two rounds: 100 few-shot test images move by several points from round to round.
  const last2 = metrics.slice(-2);
  const fedAvgFew = mean(last2.map((m) => m.shots!.few!));
  const balancedFew = mean(last2.map((m) => m.balancedHead.shots!.few!));
  expect(mean(last2.map((m) => m.shots!.many!)), 'FedAvg head: many-shot above few-shot').toBeGreaterThan(fedAvgFew);
  expect(balancedFew, 'few-shot accuracy: balanced head above FedAvg head').toBeGreaterThan(fedAvgFew);

  for (const page of pages) {
    await expect(page.getByTestId('message')).toHaveText(/all rounds done|run finished/);
    await expect(page.getByTestId('contributed')).toContainText(`${ROUNDS} rounds`);
  }

  // The dashboard names the method and charts the student's own head as the FedAvg head beside the balanced head.
  const dashboard = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  watchPageErrors(dashboard, 'dashboard', consoleErrors);
  await dashboard.goto(`/dashboard.html?run=${runId}`);
  await expect(dashboard.getByTestId('run-summary')).toContainText('clip2fl · CLIP2FL (student-resnet8) on fashion-mnist-lt');
  const accuracyChart = dashboard.getByTestId('chart-accuracy');
  await expect(accuracyChart).toHaveAttribute('data-points', String(ROUNDS + 1));
  await expect(accuracyChart.locator('.u-legend')).toContainText('Global accuracy (FedAvg head)');
  await expect(accuracyChart.locator('.u-legend')).toContainText('Balanced head (CLIP2FL / CReFF)');
  await expect(dashboard.getByTestId('chart-shots').locator('.u-legend')).toContainText('FedAvg head, few-shot');
  await expect(dashboard.locator('[data-stat="accuracy"] .stat-label')).toContainText('FedAvg head now');
  await dashboard.screenshot({ path: test.info().outputPath('dashboard-student.png'), fullPage: true });

  expect(consoleErrors).toEqual([]);
});
