import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RenderJob {
  id: string;
  svg: string;
}

export interface RenderFailure {
  id: string;
  reason: string;
}

export interface RenderResult {
  images: Map<string, Uint8Array>;
  failures: RenderFailure[];
}

type WorkerReply = { id: string; rgb?: Uint8Array; error?: string };

const WORKER = fileURLToPath(new URL('./render-worker.mjs', import.meta.url));
const MAX_IN_FLIGHT = 16;

/**
 * Renders SVGs to size x size RGB (white background) in a child process. An SVG that throws is reported
 * as a failure; one that kills the renderer (resvg panics abort the process) or hangs past `timeoutMs`
 * is reported too, and a fresh child carries on with the rest.
 */
export async function renderSvgs(
  jobs: RenderJob[],
  size: number,
  opts: { timeoutMs?: number; onRendered?: (done: number, total: number) => void } = {},
): Promise<RenderResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const images = new Map<string, Uint8Array>();
  const failures: RenderFailure[] = [];
  const queue = jobs.slice();
  let done = 0;

  return new Promise<RenderResult>((resolve, reject) => {
    let child: ChildProcess | null = null;
    let inFlight: RenderJob[] = [];
    let watchdog: NodeJS.Timeout | null = null;
    let finished = false;

    const armWatchdog = () => {
      if (watchdog) clearTimeout(watchdog);
      watchdog = inFlight.length > 0 ? setTimeout(() => child?.kill('SIGKILL'), timeoutMs) : null;
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      if (watchdog) clearTimeout(watchdog);
      if (child) {
        child.removeAllListeners();
        child.disconnect();
      }
      resolve({ images, failures });
    };
    const pump = () => {
      while (child && inFlight.length < MAX_IN_FLIGHT && queue.length > 0) {
        const job = queue.shift()!;
        inFlight.push(job);
        child.send({ id: job.id, svg: job.svg, size });
      }
      armWatchdog();
      if (queue.length === 0 && inFlight.length === 0) finish();
    };
    const record = () => {
      done++;
      opts.onRendered?.(done, jobs.length);
    };
    const start = () => {
      const c = fork(WORKER, [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      let stderr = '';
      c.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      c.on('message', (msg: WorkerReply) => {
        const k = inFlight.findIndex((j) => j.id === msg.id);
        if (k < 0) return;
        inFlight.splice(k, 1);
        if (msg.rgb) images.set(msg.id, new Uint8Array(msg.rgb));
        else failures.push({ id: msg.id, reason: msg.error ?? 'unknown error' });
        record();
        pump();
      });
      c.on('error', (e) => {
        if (!finished) {
          finished = true;
          reject(new Error(`SVG renderer process failed to start: ${e.message}`));
        }
      });
      c.on('exit', (code, signal) => {
        if (finished) return;
        child = null;
        // The child answers in order, so the oldest unanswered job is the one that brought it down.
        const culprit = inFlight.shift();
        if (culprit) {
          const line = stderr.split('\n').find((l) => l.includes('panicked')) ?? stderr.trim().split('\n').pop() ?? '';
          failures.push({ id: culprit.id, reason: `renderer died (${signal ?? `exit ${code}`})${line ? `: ${line.trim()}` : ''}` });
          record();
        }
        queue.unshift(...inFlight);
        inFlight = [];
        if (queue.length === 0) finish();
        else {
          child = start();
          pump();
        }
      });
      return c;
    };
    if (jobs.length === 0) return resolve({ images, failures });
    child = start();
    pump();
  });
}
