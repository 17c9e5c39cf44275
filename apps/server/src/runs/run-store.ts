import { mkdir, readFile, rename, writeFile, appendFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeTensorFile, encodeTensorFile, type RunConfig, type TensorRecord } from '@clipfed/protocol';

/** A run folder that cannot be read as it is: names the file and what is wrong with it. */
export class RunFolderDamage extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export interface MetricsRead {
  rows: Record<string, unknown>[];
  /** The unfinished last line of an append cut short (a crash or a full disk), dropped; absent when none. */
  droppedTornLine?: string;
}

/** The temporary files of writeFileAtomic: `<name>.<pid>.<time>.tmp`. */
const TEMPORARY_FILE = /\.\d+\.\d+\.tmp$/;

/** One folder per run: config.json, metrics.jsonl and an atomically replaced checkpoint. */
export class RunStore {
  constructor(readonly dir: string) {}

  static open(runsDir: string, runId: string): RunStore {
    return new RunStore(join(runsDir, runId));
  }

  static async create(runsDir: string, runId: string, config: RunConfig): Promise<RunStore> {
    const store = new RunStore(join(runsDir, runId));
    await mkdir(store.dir, { recursive: true });
    await writeFileAtomic(join(store.dir, 'config.json'), JSON.stringify({ runId, config }, null, 2));
    return store;
  }

  async appendMetrics(row: Record<string, unknown>): Promise<void> {
    await appendFile(join(this.dir, 'metrics.jsonl'), JSON.stringify(row) + '\n');
  }

  /**
   * The metrics rows. Appends are not atomic, so the last line may be cut short (no newline, not JSON): that
   * line is dropped and returned for the caller to log. Any other line that is not a JSON object with an integer
   * `round` is damage, refused with the line number.
   */
  async readMetrics(): Promise<MetricsRead> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'metrics.jsonl'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { rows: [] };
      throw e;
    }
    const lines = text.split('\n');
    // After the last newline: '' for a complete file, otherwise a line whose append was cut short.
    const unterminated = lines.pop() ?? '';
    const rows: Record<string, unknown>[] = [];
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      const row = parseRow(line);
      if (!row) throw new RunFolderDamage('metrics.jsonl', `line ${i + 1} is not a metrics row: ${JSON.stringify(line.slice(0, 80))}`);
      rows.push(row);
    });
    if (!unterminated.trim()) return { rows };
    const last = parseRow(unterminated);
    if (last) return { rows: [...rows, last] };
    return { rows, droppedTornLine: unterminated };
  }

  /** Replaces metrics.jsonl atomically (used on restore to drop rows of a round that never completed). */
  async rewriteMetrics(rows: readonly Record<string, unknown>[]): Promise<void> {
    await writeFileAtomic(join(this.dir, 'metrics.jsonl'), rows.map((r) => JSON.stringify(r) + '\n').join(''));
  }

  async readConfig(): Promise<{ runId: string; config: unknown }> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'config.json'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new RunFolderDamage('config.json', 'is missing');
      throw e;
    }
    try {
      return JSON.parse(text) as { runId: string; config: unknown };
    } catch (e) {
      throw new RunFolderDamage('config.json', `is not JSON (${(e as Error).message})`);
    }
  }

  async writeCheckpoint(tensors: readonly TensorRecord[], meta: Record<string, unknown>): Promise<void> {
    await writeFileAtomic(join(this.dir, 'checkpoint.bin'), encodeTensorFile(tensors, meta));
  }

  async readCheckpoint(): Promise<{ meta: Record<string, unknown>; tensors: TensorRecord[] } | null> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(join(this.dir, 'checkpoint.bin')));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    try {
      return decodeTensorFile(bytes);
    } catch (e) {
      throw new RunFolderDamage('checkpoint.bin', (e as Error).message);
    }
  }

  /**
   * Removes temporary files of writes that never reached their rename (a crash, a kill or a full disk).
   * Called before the run is restored, when nothing of this process writes into the folder yet. Returns their names.
   */
  async removeStaleTemporaryFiles(): Promise<string[]> {
    const stale = (await readdir(this.dir)).filter((name) => TEMPORARY_FILE.test(name));
    for (const name of stale) await rm(join(this.dir, name), { force: true });
    return stale;
  }

  static async listRunIds(runsDir: string): Promise<string[]> {
    try {
      return (await readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
  }
}

function parseRow(line: string): Record<string, unknown> | null {
  try {
    const row: unknown = JSON.parse(line);
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return null;
    const round = (row as { round?: unknown }).round;
    return Number.isInteger(round) ? (row as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Write-then-rename, so a crash mid-write never leaves a half-written file under the real name. A failed write
 * (a full disk) removes its temporary file before passing the error on.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/**
 * The metrics rows of rounds 0..round, each exactly once, in order. Rows past `round` (a round that never
 * completed before a crash) are dropped; a missing or repeated round below it is damage, refused by name.
 */
export function rowsThroughRound(rows: readonly Record<string, unknown>[], round: number): Record<string, unknown>[] {
  const kept = rows.filter((r) => (r.round as number) <= round).sort((a, b) => (a.round as number) - (b.round as number));
  const repeated = kept.filter((r, i) => i > 0 && kept[i - 1].round === r.round).map((r) => r.round as number);
  if (repeated.length > 0) throw new RunFolderDamage('metrics.jsonl', `round ${repeated[0]} appears more than once`);
  const have = new Set(kept.map((r) => r.round as number));
  const missing = Array.from({ length: round + 1 }, (_, r) => r).filter((r) => !have.has(r));
  if (missing.length > 0) {
    const listed = missing.length > 5 ? `${missing.slice(0, 5).join(', ')} … (${missing.length} rounds)` : missing.join(', ');
    throw new RunFolderDamage('metrics.jsonl', `checkpoint.bin is at round ${round}, but the metrics lack round ${listed}`);
  }
  return kept;
}
