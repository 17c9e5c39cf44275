import { join } from 'node:path';
import { build } from 'vite';
import { packageDir } from './browser';
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
