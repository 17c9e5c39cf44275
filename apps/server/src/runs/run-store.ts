import { mkdir, readFile, rename, writeFile, appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeTensorFile, encodeTensorFile, type RunConfig, type TensorRecord } from '@clipfed/protocol';

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

  async readMetrics(): Promise<Record<string, unknown>[]> {
    try {
      const text = await readFile(join(this.dir, 'metrics.jsonl'), 'utf8');
      return text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  /** Replaces metrics.jsonl atomically (used on restore to drop rows of a round that never completed). */
  async rewriteMetrics(rows: readonly Record<string, unknown>[]): Promise<void> {
    await writeFileAtomic(join(this.dir, 'metrics.jsonl'), rows.map((r) => JSON.stringify(r) + '\n').join(''));
  }

  async readConfig(): Promise<{ runId: string; config: unknown }> {
    return JSON.parse(await readFile(join(this.dir, 'config.json'), 'utf8')) as { runId: string; config: unknown };
  }

  async writeCheckpoint(tensors: readonly TensorRecord[], meta: Record<string, unknown>): Promise<void> {
    await writeFileAtomic(join(this.dir, 'checkpoint.bin'), encodeTensorFile(tensors, meta));
  }

  async readCheckpoint(): Promise<{ meta: Record<string, unknown>; tensors: TensorRecord[] } | null> {
    try {
      return decodeTensorFile(new Uint8Array(await readFile(join(this.dir, 'checkpoint.bin'))));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  static async listRunIds(runsDir: string): Promise<string[]> {
    try {
      return (await readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
  }
}

/** Write-then-rename, so a crash mid-write never leaves a half-written file under the real name. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
