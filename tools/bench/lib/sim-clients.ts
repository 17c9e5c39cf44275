import { io } from 'socket.io-client';
import type { ClipModel } from '@clipfed/clip';
import { FederatedClient, trainLocalRound, type AdapterTrainer, type ClientPlatform, type ClientSocket, type FeatureCache } from '@clipfed/client';
import { socketParser, type WireDType } from '@clipfed/protocol';

/**
 * A cache shared by every simulated client of the process: the first client to miss a key encodes its
 * images, the others wait for that result instead of encoding the same shard again.
 */
export function sharedFeatureCache(): FeatureCache {
  const entries = new Map<string, { promise: Promise<Float32Array | null>; resolve: (f: Float32Array | null) => void }>();
  return {
    async get(key) {
      const hit = entries.get(key);
      if (hit) return hit.promise;
      let resolve!: (f: Float32Array | null) => void;
      const promise = new Promise<Float32Array | null>((r) => (resolve = r));
      entries.set(key, { promise, resolve });
      return null;
    },
    async put(key, features) {
      entries.get(key)?.resolve(features);
    },
  };
}

/** The shared model with text encoding done once: every client of a run encodes the same class prompts. */
export function memoizedModel(model: ClipModel): ClipModel {
  const texts = new Map<string, Promise<Float32Array>>();
  return new Proxy(model, {
    get(target, prop, receiver) {
      if (prop === 'encodeTexts') {
        return (prompts: string[]) => {
          const key = prompts.join('\u0000');
          let p = texts.get(key);
          if (!p) texts.set(key, (p = target.encodeTexts(prompts)));
          return p;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Stands in for local training where only the server and the sockets are measured: returns the received
 * adapter moved by a small fixed amount (one pass over the parameters), so uploads are real, distinct and valid.
 */
export const replayTrainer: AdapterTrainer = {
  async train(req) {
    const weights = req.weights.map((t) => {
      const src = t.data;
      const data = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) data[i] = src[i] + 1e-4 * ((i % 7) - 3);
      return { ...t, data };
    });
    return { weights, meanLoss: 0, steps: 0, trainAccuracy: 0 };
  },
};

/** Real local training on the active tfjs backend: the Node simulated client's own round, unchanged. */
export const realTrainer: AdapterTrainer = { train: trainLocalRound };

/** Limits concurrent calls (shard downloads of a thousand clients at once would hold gigabytes in flight). */
function limiter(max: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

export interface SimClients {
  clients: FederatedClient[];
  sockets: ClientSocket[];
  /** Bytes the client sockets sent and received on the wire (websocket frames and TCP payload, both ways). */
  socketBytes(): { sent: number; received: number };
  /** Connections lost (and retried) before close(): missed heartbeats under load. */
  lostConnections(): number;
  close(): void;
}

interface RawSocket {
  bytesRead: number;
  bytesWritten: number;
}

/** The TCP socket under a socket.io-client websocket (engine.io's transport wraps the `ws` package in Node). */
function tcpOf(socket: ClientSocket): RawSocket | undefined {
  const engine = (socket.io as unknown as { engine?: { transport?: { ws?: { _socket?: RawSocket } } } }).engine;
  return engine?.transport?.ws?._socket;
}

export function startSimClients(opts: {
  url: string;
  runId: string;
  count: number;
  model: Promise<ClipModel>;
  trainer: AdapterTrainer;
  updateDtype?: WireDType;
  downloads?: number;
  /** Download each shard once for all clients holding it (its URL differs per client, its bytes do not). */
  shareShards?: boolean;
  /** Features already encoded by earlier clients of this process (default: a fresh shared cache). */
  featureCache?: FeatureCache;
}): SimClients {
  const cache = opts.featureCache ?? sharedFeatureCache();
  const model = opts.model.then(memoizedModel);
  const download = limiter(opts.downloads ?? 16);
  const shards = new Map<string, Promise<Uint8Array>>();
  const fetchBytes = (url: string) =>
    download(async () => {
      const res = await fetch(new URL(url, opts.url));
      if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
      return new Uint8Array(await res.arrayBuffer());
    });
  const sockets: ClientSocket[] = [];
  const clients: FederatedClient[] = [];
  let closing = false;
  let lostConnections = 0;
  for (let i = 0; i < opts.count; i++) {
    // Reconnecting as a browser tab does: with a thousand clients in one process beside the server, a client can
    // miss its heartbeat while a round's megabytes go through, and comes back under its own identity.
    const socket: ClientSocket = io(opts.url, { transports: ['websocket'], parser: socketParser, reconnection: true, reconnectionDelay: 1000, timeout: 60_000 });
    socket.on('disconnect', () => {
      if (!closing) lostConnections++;
    });
    let client: FederatedClient | null = null;
    const platform: ClientPlatform = {
      kind: 'node',
      capabilities: { onnxBackend: 'node', tfBackend: 'wasm', backendReason: 'bench simulated client' },
      loadModel: () => model,
      fetchBytes(url) {
        const label = client?.current.shardLabel;
        if (!opts.shareShards || !label) return fetchBytes(url);
        let bytes = shards.get(label);
        if (!bytes) shards.set(label, (bytes = fetchBytes(url)));
        return bytes;
      },
      trainer: opts.trainer,
      featureCache: cache,
    };
    sockets.push(socket);
    client = new FederatedClient(socket, platform, { runId: opts.runId, updateDtype: opts.updateDtype });
    clients.push(client);
  }
  return {
    clients,
    sockets,
    lostConnections: () => lostConnections,
    socketBytes() {
      let sent = 0;
      let received = 0;
      for (const s of sockets) {
        const tcp = tcpOf(s);
        sent += tcp?.bytesWritten ?? 0;
        received += tcp?.bytesRead ?? 0;
      }
      return { sent, received };
    },
    close() {
      closing = true;
      for (const s of sockets) s.disconnect();
    },
  };
}
