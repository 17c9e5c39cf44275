import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFixtureClipModel } from '@clipfed/clip/testing';
import { initNodeTfBackend } from '@clipfed/fl';
import { runConfigSchema, type RunConfigInput } from '@clipfed/protocol';
import { startServer, type FederatedServer, type ServerOptions } from '../../apps/server/src/server';
import type { FederatedRun } from '../../apps/server/src/runs/federated-run';

export const FIXTURE_OPERATOR_TOKEN = 'operator';
/** The fixture CLIP model's embedding size. */
export const FIXTURE_EMBED_DIM = 16;

export interface FixtureServer {
  /** The server; `restart` replaces it. */
  server: FederatedServer;
  /** A fresh temporary folder: the model in model/, the runs in runs/ (unless the options name another runsDir). */
  dir: string;
  modelDir: string;
  createRun(config: RunConfigInput): Promise<FederatedRun>;
  /** Closes `server`, keeping the folder, and starts it again on the same options and port: sockets reconnect to it by themselves. */
  restart(): Promise<FederatedServer>;
  /** Another server in this process on the same model and options, `extra` over them (a runs folder of its own, say); `close` closes it too. */
  startAnother(extra?: Partial<ServerOptions>): Promise<FederatedServer>;
  /** Closes every server still open and removes the folder. */
  close(): Promise<void>;
}

/** A real server (HTTP + socket.io) in this process, on the small fixture CLIP model and a fresh runs folder. */
export async function startFixtureServer(extra: Partial<ServerOptions> = {}): Promise<FixtureServer> {
  const dir = await mkdtemp(join(tmpdir(), 'clipfed-fixture-'));
  const modelDir = join(dir, 'model');
  await writeFixtureClipModel(modelDir, { embedDim: FIXTURE_EMBED_DIM, imageSize: 32 });
  await initNodeTfBackend(['wasm', 'cpu'], () => undefined);
  const options: ServerOptions = {
    port: 0,
    host: '127.0.0.1',
    modelDir,
    runsDir: join(dir, 'runs'),
    cacheDir: resolve('.cache'),
    webDist: join(dir, 'no-web'),
    operatorToken: FIXTURE_OPERATOR_TOKEN,
    logLevel: 'silent',
    ...extra,
  };
  // The servers not closed yet, each closed once: by its own `close` or by the fixture's.
  const open = new Set<FederatedServer>();
  const start = async (opts: ServerOptions): Promise<FederatedServer> => {
    const started = await startServer(opts);
    const server: FederatedServer = {
      ...started,
      async close() {
        if (!open.delete(server)) return;
        await started.close();
      },
    };
    open.add(server);
    return server;
  };
  const fixture: FixtureServer = {
    server: await start(options),
    dir,
    modelDir,
    createRun: (config) => fixture.server.registry.create(runConfigSchema.parse(config)),
    async restart() {
      const port = Number(new URL(fixture.server.url).port);
      await fixture.server.close();
      fixture.server = await start({ ...options, port });
      return fixture.server;
    },
    startAnother: (more = {}) => start({ ...options, ...more }),
    async close() {
      for (const server of [...open]) await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
