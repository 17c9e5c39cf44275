import { ModelLoadError } from '../errors';
import type { ModelFileReader } from '../model-files';

/** Model files held in memory, e.g. from `fixtureClipModelFiles()`; for tests. */
export class MemoryModelFileReader implements ModelFileReader {
  constructor(
    private readonly files: ReadonlyMap<string, Uint8Array>,
    private readonly label = 'memory',
  ) {}

  describe(): string {
    return this.label;
  }

  async exists(relativePath: string): Promise<boolean> {
    return this.files.has(relativePath);
  }

  async read(relativePath: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    const bytes = this.files.get(relativePath);
    if (!bytes) throw new ModelLoadError('missing-file', `${relativePath} is missing in ${this.label}`, relativePath);
    onProgress?.(bytes.length, bytes.length);
    return bytes;
  }
}
