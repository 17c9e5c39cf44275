import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ClipModel } from '@clipfed/clip';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { ImageFeatureStore } from '@clipfed/client/node';
import { startServer, type FederatedServer } from '@clipfed/server';
import { REPO_ROOT } from './results-paths';

/**
 * What every experiment of a suite shares: one real server (its registry caches tasks and its
 * evaluator caches held-out features on disk), one CLIP model for all simulated clients, and a
 * per-image feature store, so each image is encoded once for the whole suite and later suites.
 */
export interface SuiteContext {
  server: FederatedServer;
  model: Promise<ClipModel>;
  modelDir: string;
  featureStore: ImageFeatureStore;
  close(): Promise<void>;
}

export async function openSuite(opts: { modelDir: string; log?: (line: string) => void }): Promise<SuiteContext> {
  const modelDir = resolve(opts.modelDir);
  const manifest = await readFile(join(modelDir, 'manifest.json')).catch(() => {
    throw new Error(`no CLIP model at ${modelDir} (manifest.json missing); build it with \`npm run build:model\` or pass --model`);
  });
  const modelKey = createHash('sha256').update(manifest).digest('hex').slice(0, 16);
  const model = loadClipModelFromDir(modelDir);
  const featureStore = await ImageFeatureStore.open(join(REPO_ROOT, '.cache', 'image-features', modelKey), (await model).embedDim);
  const runsDir = await mkdtemp(join(tmpdir(), 'clipfed-reproduce-'));
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    modelDir,
    runsDir,
    cacheDir: join(REPO_ROOT, '.cache'),
    webDist: join(runsDir, 'no-web'),
    operatorToken: 'reproduce',
    logLevel: 'warn',
    onProgress: (p) => {
      if (p.done === p.total) opts.log?.(`  ${p.stage}: ${p.total} done`);
    },
    // The server's evaluation sets share images with the clients' shards: one encoding serves both.
    encodeImages: (m, rgb, width, height, o) => featureStore.encode(m, rgb, width, height, o),
  });
  return {
    server,
    model,
    modelDir,
    featureStore,
    async close() {
      await server.close();
      await (await model).dispose();
      await rm(runsDir, { recursive: true, force: true });
    },
  };
}
