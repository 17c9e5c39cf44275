/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { trainAdapter } from '@clipfed/fl';
import type { TrainRequest } from '@clipfed/client';

export type WorkerRequest = { type: 'init'; backend: 'webgpu' | 'wasm' } | { type: 'train'; id: number; req: TrainRequest };
export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'progress'; id: number; step: number; totalSteps: number; loss: number }
  | { type: 'result'; id: number; result: Awaited<ReturnType<typeof trainAdapter>> }
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
    const result = await trainAdapter({
      weights: req.weights,
      features: req.features,
      labels: req.labels,
      textEmbeddings: req.textEmbeddings,
      dim: req.dim,
      epochs: req.training.localEpochs,
      batchSize: req.training.batchSize,
      lr: req.training.learningRate,
      weightDecay: req.training.weightDecay,
      seed: req.training.seed,
      onStep: (p) => {
        const now = performance.now();
        if (now - lastPost > 100 || p.step === p.totalSteps) {
          lastPost = now;
          post({ type: 'progress', id, ...p });
        }
      },
    });
    post({ type: 'result', id, result }, result.weights.map((t) => t.data.buffer as ArrayBuffer));
  } catch (err) {
    post({ type: 'error', id: msg.type === 'train' ? msg.id : undefined, message: err instanceof Error ? err.message : String(err) });
  }
};
