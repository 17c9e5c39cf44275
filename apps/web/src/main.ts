import { io } from 'socket.io-client';
import { loadClipModelFromUrl } from '@clipfed/clip/web';
import { FederatedClient, type ClientPlatform, type ClientSocket, type ClientStatus } from '@clipfed/client';
import { chooseBackends } from './backend-choice';
import { createWorkerTrainer } from './worker-trainer';
import { indexedDbFeatureCache } from './feature-cache';
import { renderStatus, renderBackends } from './render';
import { pickOwnImages } from './own-images-picker';
import { shardFromFiles } from './own-images';

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

  const ownLink = document.getElementById('own-link') as HTMLAnchorElement;
  const ownParams = new URLSearchParams(params);
  ownParams.set('own', '1');
  ownLink.href = `?${ownParams}`;
  const ownFiles = params.has('own') ? await pickOwnImages() : null;
  ownLink.hidden = ownFiles !== null;

  const socket: ClientSocket = io({ transports: ['websocket'], reconnectionDelayMax: 5000 });
  const client = new FederatedClient(socket, platform, {
    runId: params.get('run') ?? undefined,
    joinCode: params.get('code') ?? undefined,
    localShard: ownFiles
      ? async (task) => {
          const { shard, skipped } = await shardFromFiles(ownFiles, task.classNames);
          if (skipped.length) document.getElementById('own-classes')!.textContent = `Skipped ${skipped.length} unreadable file(s): ${skipped.join(', ')}`;
          return shard;
        }
      : undefined,
    onStatus: (s) => {
      window.clipfed!.status = s;
      renderStatus(s);
    },
  });
  const pause = document.getElementById('pause') as HTMLButtonElement;
  pause.addEventListener('click', () => {
    const paused = pause.getAttribute('aria-pressed') === 'true';
    if (paused) client.resume();
    else client.pause();
    pause.setAttribute('aria-pressed', String(!paused));
    pause.textContent = paused ? 'Pause' : 'Resume';
  });
  document.getElementById('leave')!.addEventListener('click', () => {
    void client.leave();
    pause.disabled = true;
  });
}

main().catch((e: unknown) => {
  const el = document.getElementById('message')!;
  el.textContent = `Could not start: ${e instanceof Error ? e.message : String(e)}`;
  el.classList.add('error');
  console.error(e);
});
