/**
 * Rehearses the real-model path: starts the normal server (`clipfed serve`) on a CLIP folder, opens one Chromium
 * per backend (one tab each, wasm and WebGPU by default) on a small FedCLIP run, and measures what a teacher needs
 * to know: bytes each tab downloads, time to its first round, images encoded per second, peak memory of the tab,
 * and which ONNX operators the WebGPU backend leaves to the CPU.
 *
 *   npx tsx tools/write-rehearsal-model.ts --only quantized --out models/rehearsal-vit-b32-quantized
 *   npm run build:web && npx tsx tools/rehearse-real-model.ts --model models/rehearsal-vit-b32-quantized
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { api, startServerProcess, stopProcess } from '../test/integration/server-process';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './bench/lib/browser';
import { watchBrowserMemory, type BrowserMemory } from './rehearsal-model/process-memory';
import { placementsOnCpu } from './rehearsal-model/webgpu-placement';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/rehearsal-vit-b32-quantized' },
    backends: { type: 'string', default: 'wasm,webgpu' },
    images: { type: 'string', default: '16' },
    port: { type: 'string', default: '8391' },
    'timeout-min': { type: 'string', default: '25' },
  },
});
const backends = values.backends.split(',');
const modelDir = resolve(values.model);
const MB = 1e6;

interface StatusSample {
  stage: string;
  progress?: { done: number; total: number; startedAt: number };
  contributed: { rounds: number; imagesEncoded: number };
}

interface TabReport {
  backend: string;
  bytes: number;
  modelBytes: number;
  readyS?: number;
  firstRoundS?: number;
  imagesPerS?: number;
  memory: BrowserMemory;
  errors: string[];
}

const readStatus = (page: Page) => page.evaluate(() => (window as unknown as { clipfed?: { status?: StatusSample } }).clipfed?.status ?? null);

async function followTab(backend: string, url: string, deadline: number): Promise<TabReport> {
  const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const memory = watchBrowserMemory(server.process().pid!);
  const browser = await chromium.connect(server.wsEndpoint());
  const report: TabReport = { backend, bytes: 0, modelBytes: 0, memory: { rendererPeakBytes: 0, gpuPeakBytes: 0, totalPeakBytes: 0 }, errors: [] };
  try {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => report.errors.push(e.message));
    // Every HTTP response the tab and its Web Worker read (websocket frames are the run's traffic, not setup).
    page.on('requestfinished', (req) => {
      void req.sizes().then((s) => {
        report.bytes += s.responseBodySize + s.responseHeadersSize;
        if (new URL(req.url()).pathname.startsWith('/model/')) report.modelBytes += s.responseBodySize;
      });
    });
    const t0 = Date.now();
    await page.goto(`${url}&backend=${backend}&nocache`);
    let encodeStart: number | undefined;
    let encodeEnd: number | undefined;
    let lastStage = '';
    while (Date.now() < deadline) {
      const s = await readStatus(page).catch(() => null);
      const now = Date.now();
      // The encode rate: images over the time the page spent in its encode-images stage, as polled here.
      if (s?.stage === 'encode-images') encodeStart ??= now;
      if (encodeStart !== undefined && encodeEnd === undefined && s && s.stage !== 'encode-images') {
        encodeEnd = now;
        report.imagesPerS = s.contributed.imagesEncoded / ((encodeEnd - encodeStart) / 1000);
      }
      if (report.readyS === undefined && s?.stage === 'waiting' && encodeEnd !== undefined) report.readyS = (now - t0) / 1000;
      if (s && s.stage !== lastStage) {
        console.log(`${backend}: ${s.stage} after ${((now - t0) / 1000).toFixed(0)} s`);
        lastStage = s.stage;
      }
      if (s && s.contributed.rounds >= 1) {
        report.firstRoundS = (now - t0) / 1000;
        break;
      }
      if (s?.stage === 'error') break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    report.memory = memory.stop();
    await browser.close();
    await server.close();
  }
  return report;
}

const fmtMB = (n: number) => `${(n / MB).toFixed(1)} MB`;
const fmtS = (n: number | undefined) => (n === undefined ? 'did not finish' : `${n.toFixed(0)} s`);

const runsDir = await mkdtemp(join(tmpdir(), 'clipfed-rehearsal-'));
const t0 = Date.now();
const server = await startServerProcess({ port: Number(values.port), modelDir, runsDir });
const serverReadyS = (Date.now() - t0) / 1000;
try {
  const t1 = Date.now();
  // Creating the first run encodes the held-out sets with the model on the server (cached per model afterwards).
  const created = await api<{ runId: string }>(server.url, '/api/runs', {
    method: 'POST',
    body: { name: 'rehearsal', rounds: 1, minClients: backends.length, localEpochs: 1, maxImagesPerClient: Number(values.images), roundDeadlineMs: 3_600_000 },
  });
  const runCreatedS = (Date.now() - t1) / 1000;
  console.log(`server listening after ${serverReadyS.toFixed(0)} s; run ${created.runId} ready after ${runCreatedS.toFixed(0)} s more; opening ${backends.join(' and ')} tabs`);
  const deadline = Date.now() + Number(values['timeout-min']) * 60_000;
  const tabs = await Promise.all(backends.map((b) => followTab(b, `${server.url}/?run=${created.runId}`, deadline)));
  const onCpu = backends.includes('webgpu') ? await placementsOnCpu(server.url, modelDir) : undefined;

  console.log(`\nServer: listening after ${serverReadyS.toFixed(0)} s (model loaded); first run ready ${runCreatedS.toFixed(0)} s later (held-out sets encoded)\n`);
  console.log('| backend | downloaded by the tab | of it the model | time to ready (images and prompts encoded) | time to first round | images/s | peak tab (renderer) | peak GPU process | peak browser |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const t of tabs) {
    console.log(
      `| ${t.backend} | ${fmtMB(t.bytes)} | ${fmtMB(t.modelBytes)} | ${fmtS(t.readyS)} | ${fmtS(t.firstRoundS)} | ${t.imagesPerS?.toFixed(2) ?? '–'} | ${fmtMB(t.memory.rendererPeakBytes)} | ${fmtMB(t.memory.gpuPeakBytes)} | ${fmtMB(t.memory.totalPeakBytes)} |`,
    );
    for (const e of t.errors) console.log(`  ${t.backend} page error: ${e}`);
  }
  if (onCpu) {
    for (const [file, ops] of Object.entries(onCpu)) {
      console.log(`\nWebGPU: nodes of ${file} left to the CPU: ${Object.entries(ops).map(([op, n]) => `${op} ${n}`).join(', ') || 'none'}`);
    }
  }
} finally {
  await stopProcess(server.child, 'SIGTERM');
  await rm(runsDir, { recursive: true, force: true });
}
