import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import type { BenchContext } from './bench-case';
import { launchChromium, packageDir } from './browser';
import { serveFolders, type StaticServer } from './static-server';

/** Builds tools/bench/page with Vite into `outDir`. */
export async function buildBenchPage(root: string, outDir: string): Promise<void> {
  await build({
    root: join(root, 'tools/bench/page'),
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 16_384 },
    worker: { format: 'es' },
  });
}

/** Serves the built page with the onnxruntime-web and tfjs wasm files, plus model folders under /models/<name>/. */
export function serveBenchPage(pageDir: string, models: Record<string, string>): Promise<StaticServer> {
  return serveFolders({
    '/': pageDir,
    '/ort/': join(packageDir('onnxruntime-web'), 'dist'),
    '/tfjs-wasm/': join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist'),
    ...Object.fromEntries(Object.entries(models).map(([name, dir]) => [`/models/${name}/`, dir])),
  });
}

/**
 * Builds and serves the bench page, then calls `visit` once per plan entry on a fresh page of one Chromium (tfjs
 * keeps one backend's state per page). A backend that fails is named in the returned notes and the others go on.
 */
export async function onBenchPages<P extends { backend: string }>(
  ctx: BenchContext,
  plan: readonly P[],
  visit: (page: Page, entry: P) => Promise<void>,
  onVisited: (done: number) => void,
): Promise<string[]> {
  const notes: string[] = [];
  const pageDir = join(ctx.cacheDir, 'page');
  await buildBenchPage(ctx.root, pageDir);
  const server = await serveBenchPage(pageDir, {});
  const browser = await launchChromium();
  try {
    for (const [i, entry] of plan.entries()) {
      const page = await browser.newPage();
      try {
        await page.goto(server.url);
        await page.waitForFunction(() => 'bench' in window);
        await visit(page, entry);
      } catch (e) {
        notes.push(`Chromium ${entry.backend}: failed (${(e as Error).message.split('\n')[0]}).`);
      } finally {
        await page.close();
      }
      onVisited(i + 1);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return notes;
}
