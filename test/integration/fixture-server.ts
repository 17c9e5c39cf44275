import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFixtureClipModel } from '@clipfed/clip/testing';
import { initNodeTfBackend } from '@clipfed/fl';
import { runConfigSchema, type RunConfigInput } from '@clipfed/protocol';
import { startServer, type FederatedServer, type ServerOptions } from '../../apps/server/src/server';
import type { FederatedRun } from '../../apps/server/src/runs/federated-run';

export const FIXTURE_OPERATOR_TOKEN = 'operator';

export interface FixtureServer {
  server: FederatedServer;
  dir: string;
  createRun(config: RunConfigInput): Promise<FederatedRun>;
  close(): Promise<void>;
}

/** A real server (HTTP + socket.io) in this process, on the small fixture CLIP model and a fresh runs folder. */
export async function startFixtureServer(extra: Partial<ServerOptions> = {}): Promise<FixtureServer> {
  const dir = await mkdtemp(join(tmpdir(), 'clipfed-fixture-'));
  await writeFixtureClipModel(join(dir, 'model'), { embedDim: 16, imageSize: 32 });
  await initNodeTfBackend(['wasm', 'cpu'], () => undefined);
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    modelDir: join(dir, 'model'),
    runsDir: join(dir, 'runs'),
    cacheDir: resolve('.cache'),
    webDist: join(dir, 'no-web'),
    operatorToken: FIXTURE_OPERATOR_TOKEN,
    logLevel: 'silent',
    ...extra,
  });
  return {
    server,
    dir,
    createRun: (config) => server.registry.create(runConfigSchema.parse(config)),
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
