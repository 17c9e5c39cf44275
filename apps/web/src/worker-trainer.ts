import type { AdapterTrainer, TrainResult } from '@clipfed/client';
import type { WorkerReply, WorkerRequest } from './train-worker';

/** Runs adapter training in a Web Worker so the page, and its socket heartbeats, never block. */
export async function createWorkerTrainer(backend: 'webgpu' | 'wasm'): Promise<{ trainer: AdapterTrainer; backend: string }> {
  const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
  const send = (m: WorkerRequest) => worker.postMessage(m);
  const ready = await new Promise<string>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      if (e.data.type === 'ready') resolve(e.data.backend);
      else if (e.data.type === 'error') reject(new Error(e.data.message));
    };
    worker.onerror = (e) => reject(new Error(`training worker failed to start: ${e.message}`));
    send({ type: 'init', backend });
  });
  let nextId = 1;
  const trainer: AdapterTrainer = {
    train(req, onProgress) {
      const id = nextId++;
      return new Promise<TrainResult>((resolve, reject) => {
        worker.onmessage = (e: MessageEvent<WorkerReply>) => {
          const m = e.data;
          if ('id' in m && m.id !== id) return;
          if (m.type === 'progress') onProgress?.(m);
          else if (m.type === 'result') resolve(m.result);
          else if (m.type === 'error') reject(new Error(`training failed: ${m.message}`));
        };
        send({ type: 'train', id, req });
      });
    },
  };
  return { trainer, backend: ready };
}
