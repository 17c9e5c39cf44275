import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { RunConfigInput } from '@clipfed/protocol';

export interface RoundReport {
  runId: string;
  round: number;
  /** Held-out evaluation after the round: mean over the evaluation sets, and the unseen style alone. */
  accuracy: number;
  heldOutAccuracy: number;
  roundMs: number;
  aggregateMs: number;
  evalMs: number;
  bytesUp: number;
  bytesDown: number;
  participants: number;
  cpuMs: number;
  wallMs: number;
  peakRssBytes: number;
  rssBytes: number;
}

export interface SimRun {
  runId: string;
  rounds: RoundReport[];
  /** Resolves when the run has finished all its rounds. */
  finished: Promise<void>;
  onRound(fn: (r: RoundReport) => void): void;
}

export interface SimServer {
  url: string;
  embedDim: number;
  startRssBytes: number;
  createRun(config: RunConfigInput): Promise<SimRun>;
  stop(): Promise<void>;
}

interface RunSlot {
  run: SimRun;
  listeners: ((r: RoundReport) => void)[];
  finish: () => void;
}

/** Starts tools/bench/lib/round-server.ts in a child process and waits until it listens. */
export async function startSimServer(root: string, args: { modelDir: string; runsDir: string; cacheDir: string; webDist?: string }): Promise<SimServer> {
  const child: ChildProcess = fork(join(root, 'tools/bench/lib/round-server.ts'), [JSON.stringify(args)], {
    // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the server.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env, LOG_LEVEL: 'error' },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const runs = new Map<string, RunSlot>();
  const creating = new Map<number, { resolve: (runId: string) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`bench server exited with ${code}:\n${stderr.slice(-4000)}`))));
  exited.catch(() => undefined);
  const ready = new Promise<{ url: string; embedDim: number; rssBytes: number }>((resolve) => {
    child.on('message', (m: { type: string; id?: number; runId?: string; message?: string } & Record<string, unknown>) => {
      if (m.type === 'ready') resolve(m as never);
      else if (m.type === 'created') creating.get(m.id!)?.resolve(m.runId!);
      else if (m.type === 'failed') creating.get(m.id!)?.reject(new Error(m.message));
      else if (m.type === 'round') {
        const slot = runs.get(m.runId!);
        slot?.run.rounds.push(m as unknown as RoundReport);
        for (const l of slot?.listeners ?? []) l(m as unknown as RoundReport);
      } else if (m.type === 'finished') runs.get(m.runId!)?.finish();
    });
  });
  const info = await Promise.race([ready, exited]);
  return {
    url: info.url,
    embedDim: info.embedDim,
    startRssBytes: info.rssBytes,
    async createRun(config) {
      const id = nextId++;
      const runId = await Promise.race([
        new Promise<string>((resolve, reject) => {
          creating.set(id, { resolve, reject });
          child.send({ type: 'create', id, config });
        }),
        exited,
      ]);
      let finish!: () => void;
      const finished = new Promise<void>((r) => (finish = r));
      const slot: RunSlot = { run: { runId, rounds: [], finished, onRound: (fn) => slot.listeners.push(fn) }, listeners: [], finish };
      runs.set(runId, slot);
      return slot.run;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}
