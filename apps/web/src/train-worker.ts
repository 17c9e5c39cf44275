/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { trainLocalRound } from '@clipfed/client/local-round';
import type { TrainRequest, TrainResult } from '@clipfed/client';

export type WorkerRequest = { type: 'init'; backend: 'webgpu' | 'wasm' } | { type: 'train'; id: number; req: TrainRequest };
export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'progress'; id: number; step: number; totalSteps: number; loss: number }
  | { type: 'result'; id: number; result: TrainResult }
  | { type: 'error'; id?: number; message: string };

const post = (m: WorkerReply, transfer: Transferable[] = []) => (self as DedicatedWorkerGlobalScope).postMessage(m, transfer);

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const msg = e.data;
  try {
    if (msg.type === 'init') {
      setWasmPaths('/tfjs-wasm/');
      if (!(await tf.setBackend(msg.backend))) throw new Error(`tfjs could not start the ${msg.backend} backend`);
      await tf.ready();
      post({ type: 'ready', backend: tf.getBackend() });
      return;
    }
    const { req, id } = msg;
    let lastPost = 0;
    // Class gradients of R (CLIP2FL / CReFF), KD and training all run here, off the page's thread.
    const result = await trainLocalRound(req, (p) => {
      const now = performance.now();
      if (now - lastPost > 100 || p.step === p.totalSteps) {
        lastPost = now;
        post({ type: 'progress', id, ...p });
      }
    });
    const tensors = [...result.weights, ...(result.classGradients ?? [])];
    post({ type: 'result', id, result }, tensors.map((t) => t.data.buffer as ArrayBuffer));
  } catch (err) {
    post({ type: 'error', id: msg.type === 'train' ? msg.id : undefined, message: err instanceof Error ? err.message : String(err) });
  }
};
