import { io } from 'socket.io-client';
import { loadClipModelFromUrl } from '@clipfed/clip/web';
import { FederatedClient, type ClientPlatform, type ClientSocket, type ClientStatus } from '@clipfed/client';
import { socketParser, type ImageShard } from '@clipfed/protocol';
import { chooseBackends } from './backend-choice';
import { createWorkerTrainer } from './worker-trainer';
import { indexedDbFeatureCache } from './feature-cache';
import { renderStatus, renderBackends } from './render';
import { pickOwnImages } from './own-images-picker';
import { OwnImagesError, shardFromFiles } from './own-images';
import { sessionIdentityStore } from './session-identity';
import { LearningPanel } from './learning/learning-panel';

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
  ownLink.hidden = params.has('own');
  const ownFiles = params.has('own') ? await pickOwnImages() : null;

  // The controls stay disabled until there is a client to pause or take out of the run.
  const pause = document.getElementById('pause') as HTMLButtonElement;
  const leave = document.getElementById('leave') as HTMLButtonElement;
  const learning = new LearningPanel();
  const socket: ClientSocket = io({ transports: ['websocket'], reconnectionDelayMax: 5000, parser: socketParser });
  const client = new FederatedClient(socket, platform, {
    runId: params.get('run') ?? undefined,
    joinCode: params.get('code') ?? undefined,
    identity: sessionIdentityStore(),
    localShard: ownFiles
      ? async (task) => {
          // Class names are known only now, after joining: a pick that does not fit the run is asked for again.
          for (let files = ownFiles; ; ) {
            try {
              const { shard, skipped, picked } = await shardFromFiles(files, task.classNames, { maxImages: task.maxImages });
              const note = skipped.length ? ` Skipped ${skipped.length} unreadable file(s): ${skipped.join(', ')}` : '';
              document.getElementById('own-classes')!.textContent = `${ownImagesSummary(shard, picked)}${note}`;
              return shard;
            } catch (e) {
              if (!(e instanceof OwnImagesError)) throw e;
              files = await pickOwnImages(e.message);
            }
          }
        }
      : undefined,
    onStatus: (s) => {
      window.clipfed!.status = s;
      renderStatus(s);
      learning.onStatus(s);
      // Once the run is over or this tab has left, there is nothing to pause or leave.
      if (s.stage === 'finished') pause.disabled = leave.disabled = true;
    },
  });
  pause.disabled = leave.disabled = false;
  // The button says what it will do (not a toggle with aria-pressed, whose name would then change under it).
  pause.addEventListener('click', () => {
    if (client.paused) client.resume();
    else client.pause();
    pause.textContent = client.paused ? 'Resume' : 'Pause';
  });
  leave.addEventListener('click', () => void client.leave());
}

/** "Using 12 images in 3 classes: face (4), hand (4), person (4).", for the volunteer to check what the tab trains on. */
function ownImagesSummary(shard: ImageShard, picked: number): string {
  const counts = new Map<number, number>();
  for (const label of shard.labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const classes = [...counts].sort(([a], [b]) => a - b).map(([label, n]) => `${shard.classNames[label]} (${n})`);
  const limit = picked > shard.labels.length ? ` of the ${picked} you picked (this run's limit per volunteer)` : '';
  return `Using ${shard.labels.length} images${limit} in ${counts.size} classes: ${classes.join(', ')}.`;
}

main().catch((e: unknown) => {
  const el = document.getElementById('message')!;
  el.textContent = `Could not start: ${e instanceof Error ? e.message : String(e)}`;
  el.classList.add('error');
  console.error(e);
});
