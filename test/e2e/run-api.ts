import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { decodeTensorFile, type RoundMetricsRow, type RunConfigInput } from '@clipfed/protocol';
import { E2E_OPERATOR_TOKEN } from '../../playwright.config';

export interface RunSnapshot {
  state: { runId: string; status: string; round: number; totalRounds: number; connectedClients: number };
  clients: { clientId: string; capabilities: { onnxBackend: string; tfBackend: string }; roundsContributed: number }[];
}


export async function createRun(request: APIRequestContext, config: RunConfigInput): Promise<string> {
  const res = await request.post('/api/runs', { data: config, headers: { authorization: `Bearer ${E2E_OPERATOR_TOKEN}` } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { runId: string }).runId;
}

export async function getRun(request: APIRequestContext, runId: string): Promise<RunSnapshot> {
  const res = await request.get(`/api/runs/${runId}`);
  expect(res.ok()).toBe(true);
  return (await res.json()) as RunSnapshot;
}

export async function getMetrics(request: APIRequestContext, runId: string): Promise<RoundMetricsRow[]> {
  return (await (await request.get(`/api/runs/${runId}/metrics`)).json()) as RoundMetricsRow[];
}

/** What the server aggregated in a round: each upload with its sample count, and the resulting global adapter. */
export async function getAggregation(request: APIRequestContext, runId: string, round: number) {
  const res = await request.get(`/api/runs/${runId}/rounds/${round}/aggregation`);
  expect(res.ok(), `aggregation of round ${round}`).toBe(true);
  const file = decodeTensorFile(new Uint8Array(await res.body()));
  const meta = file.meta as { mode: string; uploads: { clientId: string; numSamples: number }[] };
  const byPrefix = (prefix: string) =>
    new Map(file.tensors.filter((t) => t.name.startsWith(`${prefix}/`)).map((t) => [t.name.slice(prefix.length + 1), t.data]));
  return {
    mode: meta.mode,
    global: byPrefix('global'),
    uploads: meta.uploads.map((u) => ({ ...u, tensors: byPrefix(u.clientId) })),
  };
}

/** Collects the page's console errors and uncaught exceptions into `into`, each prefixed with `who`. */
export function watchPageErrors(page: Page, who: string, into: string[]): void {
  page.on('console', (m) => m.type() === 'error' && into.push(`${who}: ${m.text()}`));
  page.on('pageerror', (e) => into.push(`${who}: ${e.message}`));
}

/**
 * Opens `count` volunteer tabs on the run, each in a browser context of its own and on the wasm backend, their console
 * errors collected into `errors`; resolves once every tab shows that backend and which of the `count` shards it has.
 */
export async function openWasmTabs(browser: Browser, runId: string, count: number, errors: string[]): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await (await browser.newContext()).newPage();
    watchPageErrors(page, `tab ${i}`, errors);
    await page.goto(`/?run=${runId}&backend=wasm`);
    pages.push(page);
  }
  const shard = new RegExp(`client (${Array.from({ length: count }, (_, i) => i + 1).join('|')}) of ${count}`);
  for (const page of pages) {
    await expect(page.getByTestId('backend')).toContainText('ONNX wasm, tfjs wasm');
    await expect(page.getByTestId('shard')).toContainText(shard);
  }
  return pages;
}
