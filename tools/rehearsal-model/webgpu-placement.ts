import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../bench/lib/browser';

/**
 * Which nodes of each tower onnxruntime-web's WebGPU execution provider leaves to the CPU, counted by operator.
 * onnxruntime logs the placement at verbose level when a session is created ("Node(s) placed on
 * [CPUExecutionProvider]. Number of nodes: n" followed by one "  OpType (node name)" line per node).
 */
export async function placementsOnCpu(serverUrl: string, modelDir: string): Promise<Record<string, Record<string, number>>> {
  const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as { files: Record<string, unknown> };
  const towers = Object.keys(manifest.files).filter((f) => f.startsWith('onnx/'));
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const out: Record<string, Record<string, number>> = {};
  try {
    for (const file of towers) {
      const page = await browser.newPage();
      const lines: string[] = [];
      page.on('console', (m) => lines.push(m.text()));
      await page.goto(`${serverUrl}/dashboard.html`);
      await page.evaluate(async ([url, ortModule]) => {
        const ort = (await import(ortModule)) as typeof import('onnxruntime-web');
        ort.env.logLevel = 'verbose';
        const session = await ort.InferenceSession.create(url, { executionProviders: ['webgpu'], logSeverityLevel: 0, logVerbosityLevel: 0 });
        await session.release();
      }, [`/model/${file}`, '/ort/ort.webgpu.bundle.min.mjs'] as const);
      out[file] = parsePlacement(lines);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}

/**
 * Counts the nodes of one session's placement log by execution provider and operator:
 * `{ CPUExecutionProvider: { MatMulInteger: 12, ... }, WebGpuExecutionProvider: { ... } }`.
 */
export function parsePlacement(logLines: readonly string[]): Record<string, number> {
  const onCpu: Record<string, number> = {};
  let provider = '';
  for (const line of logLines) {
    const body = /VerifyEachNodeIsAssignedToAnEp\]\s(.*)$/.exec(line)?.[1];
    if (body === undefined) continue;
    const placed = /placed on \[(\w+)\]/.exec(body);
    if (placed) provider = placed[1]!;
    const op = /^\s+(\w+) \(/.exec(body)?.[1];
    if (op && provider === 'CPUExecutionProvider') onCpu[op] = (onCpu[op] ?? 0) + 1;
  }
  return onCpu;
}
