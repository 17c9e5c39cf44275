import { join, resolve } from 'node:path';
import { startServer, type FederatedServer } from '@clipfed/server';

export const BUILTIN_MODEL_DIR = resolve('models/builtin');

/** An in-process server on the built-in model, any free port, its runs under `dir`; features cached in .cache. */
export function startBuiltinModelServer(dir: string): Promise<FederatedServer> {
  return startServer({
    port: 0,
    host: '127.0.0.1',
    modelDir: BUILTIN_MODEL_DIR,
    runsDir: join(dir, 'runs'),
    cacheDir: resolve('.cache'),
    webDist: join(dir, 'no-web'),
    operatorToken: 't',
    logLevel: 'silent',
  });
}
