import { expect, test } from '@playwright/test';
import { createRun, getMetrics, getRun, watchPageErrors } from './run-api';

test("a WebGPU tab trains CLIP2FL's student: class-gradient probe, teacher logits and SGD, all read back asynchronously", async ({ browser, request }) => {
  test.setTimeout(12 * 60_000);
  // One round on one small shard: WebGPU runs on SwiftShader here, where the student's first round compiles every
  // shader and takes minutes. A single synchronous tensor read on that adapter returned zeros and lost the device,
  // so the probe's features, the teacher logits and the training accuracy must all come back through `await data()`.
  const runId = await createRun(request, {
    name: 'e2e student webgpu',
    dataset: 'fashion-mnist-lt',
    algorithm: 'clip2fl',
    clientModel: 'student-resnet8',
    rounds: 1,
    localEpochs: 1,
    minClients: 1,
    fashionMnistLt: { imbalanceFactor: 10, headClassSize: 40, clientShards: 1, testPerClass: 10 },
    maxImagesPerClient: 64,
    roundDeadlineMs: 600_000,
    clip2fl: { kd: true, featuresPerClass: 4, matchSteps: 2, retrainEpochs: 2 },
  });

  const errors: string[] = [];
  const syncReads: string[] = [];
  const page = await (await browser.newContext()).newPage();
  watchPageErrors(page, 'webgpu tab', errors);
  page.on('console', (m) => /synchronously reading data from GPU/.test(m.text()) && syncReads.push(m.text()));
  await page.goto(`/?run=${runId}&backend=webgpu`);
  await expect(page.getByTestId('backend')).toContainText('ONNX webgpu, tfjs webgpu');
  await expect(page.getByTestId('message')).toHaveText(/training the ResNet-8 student for round 1/, { timeout: 5 * 60_000 });

  await expect
    .poll(async () => (await getRun(request, runId)).state.status, { timeout: 10 * 60_000, intervals: [5_000] })
    .toBe('finished');

  const snapshot = await getRun(request, runId);
  expect(snapshot.clients).toHaveLength(1);
  expect(snapshot.clients[0]).toMatchObject({ capabilities: { tfBackend: 'webgpu' }, roundsContributed: 1 });
  const [, round1] = await getMetrics(request, runId);
  expect(round1.participants).toEqual([snapshot.clients[0].clientId]);
  // The server accepted the tab's class gradients of R (it refuses a CLIP2FL update without them) and matched them.
  expect(round1.serverStep?.clientsWithGradients).toBe(1);
  expect(round1.serverStep?.bankShift).toBeGreaterThan(0);
  // The tab's training loss is CE + KD of a real forward pass on 64 images: positive and finite.
  expect(round1.numSamples).toBe(64);
  expect(round1.meanLoss).toBeGreaterThan(0);
  expect(Number.isFinite(round1.meanLoss)).toBe(true);
  expect(syncReads, 'no synchronous GPU read in the tab').toEqual([]);
  expect(errors).toEqual([]);
});
