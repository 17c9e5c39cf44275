import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { RunConfigInput } from '@clipfed/protocol';

export interface RoundReport {
  round: number;
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

export interface SimServer {
  url: string;
  runId: string;
  embedDim: number;
  startRssBytes: number;
  rounds: RoundReport[];
  /** Resolves when the run has finished all its rounds. */
  finished: Promise<void>;
  onRound(fn: (r: RoundReport) => void): void;
  stop(): Promise<void>;
}

/** Starts tools/bench/lib/round-server.ts in a child process with one run and waits until it listens. */
export async function startSimServer(root: string, args: { modelDir: string; runsDir: string; cacheDir: string; webDist?: string; config: RunConfigInput }): Promise<SimServer> {
  const child: ChildProcess = fork(join(root, 'tools/bench/lib/round-server.ts'), [JSON.stringify(args)], {
    // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the server.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env, LOG_LEVEL: 'error' },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const rounds: RoundReport[] = [];
  const listeners: ((r: RoundReport) => void)[] = [];
  let resolveFinished!: () => void;
  const finished = new Promise<void>((r) => (resolveFinished = r));
  const ready = new Promise<{ url: string; runId: string; embedDim: number; rssBytes: number }>((resolvePromise, reject) => {
    child.on('message', (m: { type: string } & Record<string, unknown>) => {
      if (m.type === 'ready') resolvePromise(m as never);
      else if (m.type === 'round') {
        rounds.push(m as unknown as RoundReport);
        for (const l of listeners) l(m as unknown as RoundReport);
      } else if (m.type === 'finished') resolveFinished();
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}:\n${stderr.slice(-4000)}`)));
  });
  const info = await ready;
  return {
    url: info.url,
    runId: info.runId,
    embedDim: info.embedDim,
    startRssBytes: info.rssBytes,
    rounds,
    finished,
    onRound: (fn) => listeners.push(fn),
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}
