import { open, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { ModelLoadError } from '../errors';
import { LAYOUT_HELP, type ModelFileReader } from '../model-files';

const CHUNK = 8 * 1024 * 1024;

/** Reads model files from a folder on disk, in chunks so large towers report progress. */
export class FsModelFileReader implements ModelFileReader {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  describe(): string {
    return this.dir;
  }

  async exists(relativePath: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(relativePath))).isFile();
    } catch {
      return false;
    }
  }

  async read(relativePath: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    const path = this.pathOf(relativePath);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ModelLoadError('missing-file', `${relativePath} is missing in ${this.dir}.\n${LAYOUT_HELP}`, relativePath, { cause: e });
      }
      throw e;
    }
    try {
      const total = (await handle.stat()).size;
      const out = new Uint8Array(total);
      let loaded = 0;
      onProgress?.(0, total);
      while (loaded < total) {
        const { bytesRead } = await handle.read(out, loaded, Math.min(CHUNK, total - loaded), loaded);
        if (bytesRead === 0) break; // the file shrank while we read it
        loaded += bytesRead;
        onProgress?.(loaded, total);
      }
      return loaded === total ? out : out.subarray(0, loaded);
    } finally {
      await handle.close();
    }
  }

  private pathOf(relativePath: string): string {
    const rel = normalize(relativePath);
    if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) {
      throw new RangeError(`model file path must stay inside the model folder: ${relativePath}`);
    }
    return join(this.dir, rel);
  }
}
