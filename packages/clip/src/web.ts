import { ClipModel, type ClipLoadProgress } from './model';
import type { ModelVariant } from './model-files';
import { FetchModelFileReader } from './web/fetch-reader';

export { FetchModelFileReader, type FetchReaderOptions } from './web/fetch-reader';
export { decodeImageBlob } from './web/decode-image';

export interface WebLoadOptions {
  /**
   * 'webgpu' loads `onnxruntime-web/webgpu` (the native WebGPU EP); 'wasm' loads `onnxruntime-web`.
   * Exactly this provider is used: choose and fall back in the caller, where it can be logged.
   */
  executionProvider: 'webgpu' | 'wasm';
  /** Where onnxruntime-web's .wasm/.mjs files are served, e.g. '/ort/'. */
  wasmPaths?: string;
  /** wasm threads (needs cross-origin isolation to exceed 1). */
  numThreads?: number;
  variant?: ModelVariant;
  onProgress?: (p: ClipLoadProgress) => void;
  /** Cache Storage bucket; null disables caching. */
  cacheName?: string | null;
}

async function importOrt(provider: 'webgpu' | 'wasm'): Promise<typeof import('onnxruntime-web')> {
  return provider === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web');
}

/** Loads a CLIP model folder served over HTTP(S) with onnxruntime-web. */
export async function loadClipModelFromUrl(baseUrl: string | URL, opts: WebLoadOptions): Promise<ClipModel> {
  const ort = await importOrt(opts.executionProvider);
  if (opts.wasmPaths) ort.env.wasm.wasmPaths = opts.wasmPaths;
  if (opts.numThreads !== undefined) ort.env.wasm.numThreads = opts.numThreads;
  // onnxruntime reports its EP placement notes through console.error; keep the console for real errors.
  ort.env.logLevel = 'error';
  const reader = new FetchModelFileReader(baseUrl, { cacheName: opts.cacheName });
  return ClipModel.load(reader, ort, {
    executionProviders: [opts.executionProvider],
    variant: opts.variant,
    onProgress: opts.onProgress,
  });
}
