import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory of one process in bytes (Linux /proc), or 0 when it is gone. */
function rssBytes(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const task of (() => {
    try {
      return readdirSync(`/proc/${pid}/task`);
    } catch {
      return [];
    }
  })()) {
    try {
      out.push(...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export interface BrowserMemory {
  /** The largest renderer process: the tab itself (its page, its Web Worker, the wasm heaps). */
  rendererPeakBytes: number;
  /** The GPU process (WebGPU buffers live there). */
  gpuPeakBytes: number;
  /** Every process of the browser together. */
  totalPeakBytes: number;
}

/**
 * Samples a Chromium's process tree every `intervalMs` and keeps the peaks. One browser per tab, so the renderer
 * is that tab's.
 */
export function watchBrowserMemory(browserPid: number, intervalMs = 250): { stop: () => BrowserMemory } {
  const peak: BrowserMemory = { rendererPeakBytes: 0, gpuPeakBytes: 0, totalPeakBytes: 0 };
  const sample = () => {
    const all: number[] = [];
    const walk = (pid: number) => {
      all.push(pid);
      for (const c of childrenOf(pid)) walk(c);
    };
    walk(browserPid);
    let total = 0;
    for (const pid of all) {
      const rss = rssBytes(pid);
      total += rss;
      const cmd = commandOf(pid);
      if (cmd.includes('--type=renderer')) peak.rendererPeakBytes = Math.max(peak.rendererPeakBytes, rss);
      if (cmd.includes('--type=gpu-process')) peak.gpuPeakBytes = Math.max(peak.gpuPeakBytes, rss);
    }
    peak.totalPeakBytes = Math.max(peak.totalPeakBytes, total);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
