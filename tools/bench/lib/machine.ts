import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem, freemem, release } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  os: string;
  node: string;
  chromium: string | null;
  /** 1-minute load average when measured: on a shared machine, numbers are only as quiet as this. */
  loadAverage: number;
  date: string;
}

export function chromiumVersion(path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'): string | null {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: totalmem() / 2 ** 30,
    freeMemoryGiB: freemem() / 2 ** 30,
    os: `${process.platform} ${release()}`,
    node: process.version,
    chromium: chromiumVersion(),
    loadAverage: loadavg()[0],
    date: new Date().toISOString(),
  };
}
