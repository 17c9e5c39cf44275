import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export interface StaticOptions {
  webDist: string;
  modelDir: string | null;
}

const require = createRequire(import.meta.url);

/** A package's root folder, resolved from this workspace so hoisting does not matter (exports may hide package.json). */
function packageDir(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * The built volunteer page, the model folder, and the wasm binaries of onnxruntime-web and tfjs (served from
 * node_modules, so the page never fetches them from a CDN).
 */
export async function staticFiles(app: FastifyInstance, opts: StaticOptions): Promise<void> {
  if (!existsSync(join(opts.webDist, 'index.html'))) {
    app.log.warn(`web app not built at ${opts.webDist}; run "npm run build:web"`);
  }
  await app.register(fastifyStatic, { root: opts.webDist, prefix: '/', wildcard: true });
  if (opts.modelDir) {
    await app.register(fastifyStatic, { root: opts.modelDir, prefix: '/model/', decorateReply: false, maxAge: '1h' });
  }
  await app.register(fastifyStatic, {
    root: join(packageDir('onnxruntime-web'), 'dist'),
    prefix: '/ort/',
    decorateReply: false,
    maxAge: '1d',
  });
  await app.register(fastifyStatic, {
    root: join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist'),
    prefix: '/tfjs-wasm/',
    decorateReply: false,
    maxAge: '1d',
  });
}
