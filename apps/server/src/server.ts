import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { initNodeTfBackend, largestFeatureDim, largestUpdateBytes } from '@clipfed/fl';
import type { ProgressFn } from '@clipfed/data';
import type { ClipModel, ImageEncoder } from '@clipfed/clip';
import { apiRoutes } from './http/api-routes';
import { dashboardRoutes } from './http/dashboard-routes';
import { security } from './http/security';
import { HostAllowList, hostAllowList } from './http/host-allow-list';
import { staticFiles } from './http/static-files';
import { RunRegistry } from './runs/run-registry';
import type { FederatedRun } from './runs/federated-run';
import { attachGateway } from './socket/gateway';
import { attachDashboardNamespace } from './socket/dashboard-namespace';
import { Cluster } from './relay/cluster';

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
  /** How the server encodes its evaluation sets on a cache miss (default: encodeRgbImages). */
  encodeImages?: ImageEncoder;
  /** Redis URL: this process joins others sharing volunteers behind a load balancer (docs/DEPLOY.md). */
  redisUrl?: string;
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (rate limits are per volunteer, not per proxy). */
  trustProxy?: boolean;
  /** Host names this server answers to besides IP addresses, localhost and the machine's name (DNS rebinding defence). */
  allowedHosts?: string[];
}

export interface FederatedServer {
  app: FastifyInstance;
  registry: RunRegistry;
  /** Unfinished runs brought back from the runs folder at start. */
  restored: FederatedRun[];
  model: ClipModel;
  /** Set when the server shares volunteers with other processes through Redis. */
  cluster: Cluster | null;
  operatorToken: string;
  url: string;
  close(): Promise<void>;
}

/** How long a shutdown waits for HTTP requests in flight before it cuts their connections. */
const SHUTDOWN_GRACE_MS = 2000;

/** Classes a CLIP2FL / CReFF upload has room for: its class gradients are P·C·(d+1) floats for P ≤ C classes. */
export const MAX_CLIP2FL_CLASSES = 32;

/**
 * The largest registered client model in float32 (with up to MAX_CLIP2FL_CLASSES classes: the student's classifier
 * grows with them), the class gradients of a CLIP2FL / CReFF upload with up to MAX_CLIP2FL_CLASSES classes on the
 * largest features any model gives R (CLIP's, or the student's 512-d ones), plus room for metadata; anything larger is refused at the
 * transport.
 */
export function maxUpdateBytesFor(embedDim: number): number {
  const featureDim = largestFeatureDim(embedDim);
  const classGradients = MAX_CLIP2FL_CLASSES * MAX_CLIP2FL_CLASSES * (featureDim + 1) * 4;
  return largestUpdateBytes(embedDim, MAX_CLIP2FL_CLASSES) + classGradients + 64 * 1024;
}

async function modelKey(modelDir: string): Promise<string> {
  try {
    return createHash('sha256').update(await readFile(join(modelDir, 'manifest.json'))).digest('hex');
  } catch {
    return createHash('sha256').update(modelDir).digest('hex');
  }
}

export async function startServer(opts: ServerOptions): Promise<FederatedServer> {
  const app = Fastify({ logger: { level: opts.logLevel ?? 'info' }, bodyLimit: 1024 * 1024, trustProxy: opts.trustProxy ?? false });
  const tf = await initNodeTfBackend();
  app.log.info(tf, 'tfjs backend for the server');
  const model = await loadClipModelFromDir(opts.modelDir);
  app.log.info({ modelDir: opts.modelDir, embedDim: model.embedDim }, 'CLIP model loaded');
  const operatorToken = opts.operatorToken ?? randomBytes(16).toString('hex');
  const maxUpdateBytes = maxUpdateBytesFor(model.embedDim);
  const servedModelKey = await modelKey(opts.modelDir);
  const registry = new RunRegistry({
    runsDir: opts.runsDir,
    featureCacheDir: join(opts.cacheDir, 'features'),
    model,
    modelKey: servedModelKey,
    modelUrl: '/model/',
    maxUpdateBytes,
    recordUploads: opts.recordUploads ?? false,
    log: app.log,
    onProgress: opts.onProgress,
    tfBackend: tf.backend,
    encodeImages: opts.encodeImages,
  });
  app.decorate('registry', registry);
  // Optional: several processes share volunteers through Redis; each run stays with the process that owns it.
  const cluster = opts.redisUrl ? await Cluster.connect({ redisUrl: opts.redisUrl, registry, modelKey: servedModelKey, log: app.log }) : null;
  cluster?.installHttpForwarding(app);
  const allowList = new HostAllowList([opts.host, ...(opts.allowedHosts ?? [])]);
  await app.register(hostAllowList, { allowList });
  await app.register(security);
  await app.register(apiRoutes, { registry, operatorToken });
  await app.register(dashboardRoutes, { registry });
  await app.register(staticFiles, { webDist: opts.webDist, modelDir: opts.modelDir });
  // Uploads are binary tensors, so the transport limit is the model's size, not socket.io's 1 MB default.
  const io = attachGateway(app.server, registry, {
    maxHttpBufferSize: maxUpdateBytes,
    hostAllowList: allowList,
    trustProxy: opts.trustProxy ?? false,
    log: app.log,
    remoteRuns: cluster ?? undefined,
    adapter: cluster?.socketAdapter(),
  });
  cluster?.attachSockets(io);
  const dashboard = attachDashboardNamespace(io, registry, { log: app.log });
  app.addHook('onClose', async () => dashboard.close());
  const restored = await registry.restoreAll();
  const address = await app.listen({ port: opts.port, host: opts.host });
  return {
    app,
    registry,
    restored,
    model,
    cluster,
    operatorToken,
    url: address.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost'),
    async close() {
      registry.suspendAll('server shutting down; this tab will reconnect when it is back');
      await cluster?.close();
      // Closing the engine (not disconnecting each socket) lets clients see a transport close and reconnect
      // to the next server start on their own; a server-side disconnect would tell them not to.
      // Requests in flight get a moment to finish; then every connection is cut, so that a stalled or half-sent
      // request (anyone can open one) cannot hold the shutdown, and the process, forever. io.close() closes the
      // HTTP server too, and waits for its connections.
      const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await new Promise<void>((r) => void io.close(() => r()));
      await app.close().catch(() => undefined);
      clearTimeout(cut);
      await model.dispose();
    },
  };
}
