import { etaMs, type ClientStatus } from '@clipfed/client';
import type { BackendChoice } from './backend-choice';

const $ = (id: string) => document.getElementById(id)!;
const pct = (x: number | undefined) => (x === undefined ? '–' : `${(100 * x).toFixed(1)} %`);

const STEP_OF_STAGE: Record<ClientStatus['stage'], string | null> = {
  connecting: null,
  'download-data': 'download',
  'download-model': 'download',
  'encode-images': 'encode',
  'encode-prompts': 'encode',
  waiting: null,
  training: 'train',
  uploading: 'share',
  finished: null,
  error: null,
};
const STEP_ORDER = ['download', 'encode', 'train', 'share'];

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function formatBytes(n: number): string {
  return n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} kB`;
}

export function renderBackends(choice: BackendChoice, trainBackend: string): void {
  $('backend').textContent = `ONNX ${choice.onnx}, tfjs ${trainBackend} — ${choice.reason}`;
}

export function renderStatus(s: ClientStatus): void {
  const msg = $('message');
  msg.textContent = s.message;
  msg.classList.toggle('error', s.stage === 'error');
  const active = STEP_OF_STAGE[s.stage];
  const activeIndex = active ? STEP_ORDER.indexOf(active) : -1;
  // Steps before the active one are done; while waiting, preparation is done (and training/sharing, once it
  // has contributed); when the run is over, everything this tab did is done.
  const doneUpTo =
    s.stage === 'finished' ? (s.contributed.rounds > 0 ? 4 : 2) : s.stage === 'waiting' ? (s.contributed.rounds > 0 ? 4 : 2) : activeIndex;
  document.querySelectorAll<HTMLElement>('.pipeline li').forEach((li, i) => {
    li.classList.toggle('active', li.dataset.step === active);
    li.classList.toggle('done', i < doneUpTo && li.dataset.step !== active);
    if (li.dataset.step === active) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  });
  const bar = $('bar');
  const p = s.progress;
  const fraction = p && p.total > 0 ? Math.min(1, p.done / p.total) : s.stage === 'waiting' || s.stage === 'finished' ? 1 : 0;
  (bar.firstElementChild as HTMLElement).style.width = `${(100 * fraction).toFixed(1)}%`;
  bar.setAttribute('aria-valuenow', String(Math.round(100 * fraction)));
  let text = '';
  if (p) {
    const eta = etaMs(p);
    const count = s.stage === 'download-model' ? `${formatBytes(p.done)} of ${formatBytes(p.total)}` : `${p.done} / ${p.total}`;
    text = `${count}${eta !== undefined ? ` · about ${formatDuration(eta)} left` : ''}`;
  }
  $('progress-text').textContent = text;
  $('run').textContent = s.runId ?? '–';
  $('shard').textContent = s.shardLabel ?? '–';
  $('round').textContent = s.round !== undefined ? `${s.round} of ${s.totalRounds ?? '?'}` : '–';
  $('loss').textContent = s.lastLoss !== undefined ? s.lastLoss.toFixed(4) : '–';
  $('train-acc').textContent = pct(s.lastTrainAccuracy);
  $('global-acc').textContent = s.globalAccuracy !== undefined ? `${pct(s.globalAccuracy)} (zero-shot ${pct(s.zeroShotAccuracy)})` : '–';
  const c = s.contributed;
  $('contributed').textContent = `${c.rounds} rounds · ${c.imagesEncoded} images encoded · ${formatDuration(c.computeMs)} compute · ${formatBytes(c.bytesSent)} sent`;
}
