import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export const OPERATOR_TOKEN = 'integration-operator-token';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
}

/** Starts `clipfed serve` as a real child process and waits until it answers /api/health. */
export async function startServerProcess(args: { port: number; modelDir: string; runsDir: string; extra?: string[] }): Promise<ServerProcess> {
  let output = '';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/server/src/cli.ts', 'serve', '--no-run', '--port', String(args.port), '--model', args.modelDir, '--runs-dir', args.runsDir, ...(args.extra ?? [])],
    { env: { ...process.env, CLIPFED_OPERATOR_TOKEN: OPERATOR_TOKEN, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://localhost:${args.port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { url, child, output: () => output };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not come up:\n${output}`);
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill(signal);
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

export async function api<T>(url: string, path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: init?.method ?? 'GET',
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(init?.body ? { 'content-type': 'application/json' } : {}) },
    body: init?.body ? JSON.stringify(init.body) : undefined,
  });
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls `probe` every 250 ms until it returns a value; on timeout the error carries `context()` (server output). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, opts: { timeoutMs: number; context?: () => string }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}\n${opts.context?.() ?? ''}`);
}
