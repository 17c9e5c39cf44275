import { io } from 'socket.io-client';
import { loadClipModelFromUrl } from '@clipfed/clip/web';
import { FederatedClient, type ClientPlatform, type ClientSocket, type ClientStatus } from '@clipfed/client';
import { chooseBackends } from './backend-choice';
import { createWorkerTrainer } from './worker-trainer';
import { indexedDbFeatureCache } from './feature-cache';
import { renderStatus, renderBackends } from './render';

declare global {
  interface Window {
    clipfed?: { status?: ClientStatus; backends?: Awaited<ReturnType<typeof chooseBackends>>; trainBackend?: string };
  }
}

async function main() {
  const params = new URLSearchParams(location.search);
  window.clipfed = {};
  const choice = await chooseBackends(params);
  const { trainer, backend: trainBackend } = await createWorkerTrainer(choice.tf);
  window.clipfed.backends = choice;
  window.clipfed.trainBackend = trainBackend;
  renderBackends(choice, trainBackend);

  const platform: ClientPlatform = {
    kind: 'browser',
    capabilities: {
      onnxBackend: choice.onnx,
      tfBackend: choice.tf,
      backendReason: choice.reason,
      gpuAdapter: choice.gpuAdapter,
      fallbackAdapter: choice.fallbackAdapter,
      hardwareConcurrency: navigator.hardwareConcurrency,
      userAgent: navigator.userAgent.slice(0, 300),
    },
    loadModel: (url, onProgress) => loadClipModelFromUrl(url, { executionProvider: choice.onnx, wasmPaths: '/ort/', onProgress }),
    async fetchBytes(url) {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
    trainer,
    featureCache: params.has('nocache') ? undefined : indexedDbFeatureCache(),
  };

  const socket: ClientSocket = io({ transports: ['websocket'], reconnectionDelayMax: 5000 });
  const client = new FederatedClient(socket, platform, {
    runId: params.get('run') ?? undefined,
    joinCode: params.get('code') ?? undefined,
    onStatus: (s) => {
      window.clipfed!.status = s;
      renderStatus(s);
    },
  });
  document.getElementById('leave')!.addEventListener('click', () => void client.leave());
}

main().catch((e: unknown) => {
  const el = document.getElementById('message')!;
  el.textContent = `Could not start: ${e instanceof Error ? e.message : String(e)}`;
  el.classList.add('error');
  console.error(e);
});
