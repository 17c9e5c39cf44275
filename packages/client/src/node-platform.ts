import { cpus } from 'node:os';
import type { ClipModel } from '@clipfed/clip';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import type { ImageFeatureStore } from './image-feature-store';
import { trainLocalRound } from './local-round';
import type { AdapterTrainer, ClientPlatform, FeatureCache } from './platform';

/** Trains inline (with CLIP2FL's class gradients and KD when a round asks): a Node simulated client has no page to keep responsive. */
export const inlineTrainer: AdapterTrainer = {
  train: (req, onProgress) => trainLocalRound(req, onProgress),
};

/**
 * A Node simulated client: the model comes from a local folder (the same files the server serves), data over
 * HTTP from the server like a tab's.
 */
export function createNodePlatform(opts: {
  serverUrl: string;
  modelDir: string;
  tfBackend: 'wasm' | 'cpu' | 'tensorflow';
  /** Simulated clients in one process share one model instead of each opening its own sessions. */
  sharedModel?: Promise<ClipModel>;
  /** Shared across simulated clients, so N clients on the same shard encode it once. */
  featureCache?: FeatureCache;
  /** Replaces local training, e.g. to play an attacker in robustness tests. */
  trainer?: AdapterTrainer;
  /** Reuses features of single images encoded before (by any client, in any run with the same model). */
  imageFeatureStore?: ImageFeatureStore;
}): ClientPlatform {
  const store = opts.imageFeatureStore;
  return {
    kind: 'node',
    capabilities: {
      onnxBackend: 'node',
      tfBackend: opts.tfBackend,
      backendReason: 'Node simulated client: onnxruntime-node and the Node tfjs backend table',
      hardwareConcurrency: cpus().length,
    },
    loadModel: (_url, onProgress) => {
      onProgress({ file: opts.modelDir, loaded: 0, total: 1 });
      return opts.sharedModel ?? loadClipModelFromDir(opts.modelDir);
    },
    async fetchBytes(url) {
      const res = await fetch(new URL(url, opts.serverUrl));
      if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
      return new Uint8Array(await res.arrayBuffer());
    },
    trainer: opts.trainer ?? inlineTrainer,
    featureCache: opts.featureCache,
    ...(store ? { encodeImages: (model, rgb, width, height, o) => store.encode(model, rgb, width, height, o) } : {}),
  };
}

/** Encoded features kept in memory for the life of the process. */
export function memoryFeatureCache(): FeatureCache {
  const entries = new Map<string, Float32Array>();
  return {
    async get(key) {
      return entries.get(key) ?? null;
    },
    async put(key, features) {
      entries.set(key, features);
    },
  };
}
