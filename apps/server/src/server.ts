import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ClipModel } from '@clipfed/clip';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { initNodeTfBackend } from '@clipfed/fl';
import type { ProgressFn } from '@clipfed/data';
import { apiRoutes } from './http/api-routes';
import { dashboardRoutes } from './http/dashboard-routes';
import { security } from './http/security';
import { staticFiles } from './http/static-files';
import { RunRegistry } from './runs/run-registry';
import type { FederatedRun } from './runs/federated-run';
import { attachGateway } from './socket/gateway';
import { attachDashboardNamespace } from './socket/dashboard-namespace';

export interface ServerOptions {
  port: number;
  host: string;
  modelDir: string;
  runsDir: string;
  cacheDir: string;
  webDist: string;
  operatorToken?: string;
  recordUploads?: boolean;
  logLevel?: string;
  onProgress?: ProgressFn;
}

export interface FederatedServer {
  app: FastifyInstance;
  registry: RunRegistry;
  /** Unfinished runs brought back from the runs folder at start. */
  restored: FederatedRun[];
  model: ClipModel;
  operatorToken: string;
  url: string;
  close(): Promise<void>;
}

/** Whole adapter (2·(d²+d) floats) plus room for metadata; anything larger is refused at the transport. */
export function maxUpdateBytesFor(embedDim: number): number {
  return 2 * (embedDim * embedDim + embedDim) * 4 + 64 * 1024;
}

async function modelKey(modelDir: string): Promise<string> {
  try {
    return createHash('sha256').update(await readFile(join(modelDir, 'manifest.json'))).digest('hex');
  } catch {
    return createHash('sha256').update(modelDir).digest('hex');
  }
}

export async function startServer(opts: ServerOptions): Promise<FederatedServer> {
  const app = Fastify({ logger: { level: opts.logLevel ?? 'info' }, bodyLimit: 1024 * 1024 });
  const tf = await initNodeTfBackend();
  app.log.info(tf, 'tfjs backend for the server');
  const model = await loadClipModelFromDir(opts.modelDir);
  app.log.info({ modelDir: opts.modelDir, embedDim: model.embedDim }, 'CLIP model loaded');
  const operatorToken = opts.operatorToken ?? randomBytes(16).toString('hex');
  const maxUpdateBytes = maxUpdateBytesFor(model.embedDim);
  const registry = new RunRegistry({
    runsDir: opts.runsDir,
    featureCacheDir: join(opts.cacheDir, 'features'),
    model,
    modelKey: await modelKey(opts.modelDir),
    modelUrl: '/model/',
    maxUpdateBytes,
    recordUploads: opts.recordUploads ?? false,
    log: app.log,
    onProgress: opts.onProgress,
  });
  app.decorate('registry', registry);
  await app.register(security);
  await app.register(apiRoutes, { registry, operatorToken });
  await app.register(dashboardRoutes, { registry });
  await app.register(staticFiles, { webDist: opts.webDist, modelDir: opts.modelDir });
  // Uploads are binary tensors, so the transport limit is the model's size, not socket.io's 1 MB default.
  const io = attachGateway(app.server, registry, { maxHttpBufferSize: maxUpdateBytes, log: app.log });
  const dashboard = attachDashboardNamespace(io, registry, { log: app.log });
  app.addHook('onClose', async () => dashboard.close());
  const restored = await registry.restoreAll();
  const address = await app.listen({ port: opts.port, host: opts.host });
  return {
    app,
    registry,
    restored,
    model,
    operatorToken,
    url: address.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost'),
    async close() {
      registry.suspendAll('server shutting down; this tab will reconnect when it is back');
      // Closing the engine (not disconnecting each socket) lets clients see a transport close and reconnect
      // to the next server start on their own; a server-side disconnect would tell them not to.
      await new Promise<void>((r) => io.close(() => r()));
      await app.close().catch(() => undefined);
      await model.dispose();
    },
  };
}
