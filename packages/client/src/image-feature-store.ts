import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClipModel } from '@clipfed/clip';
import { encodeRgbImages } from '@clipfed/clip';

const HASH_BYTES = 16;

export class FeatureStoreError extends Error {
  override name = 'FeatureStoreError';
}

/**
 * Raw CLIP features by image content, on disk, for Node simulated clients: a client whose shard
 * holds images encoded before (by any client, in any run with the same model) encodes only the new
 * ones. Shards of different partitions and seeds share most images, so a suite of runs encodes each
 * image once. The folder must be specific to one model (the caller puts the model's hash in it).
 *
 * Each `encode` call that found new images writes them as one new file (write, then rename), so
 * several processes may share a folder without ever reading half a record.
 */
export class ImageFeatureStore {
  private readonly rows = new Map<string, Float32Array>();

  private constructor(
    readonly dir: string,
    readonly dim: number,
  ) {}

  static async open(dir: string, dim: number): Promise<ImageFeatureStore> {
    if (!Number.isInteger(dim) || dim < 1) throw new FeatureStoreError(`feature dimension must be a positive integer, got ${dim}`);
    await mkdir(dir, { recursive: true });
    const store = new ImageFeatureStore(dir, dim);
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.feat')).sort()) store.load(await readFile(join(dir, name)), name);
    return store;
  }

  get size(): number {
    return this.rows.size;
  }

  private load(bytes: Uint8Array, name: string): void {
    const record = HASH_BYTES + 4 * this.dim;
    if (bytes.length % record !== 0) throw new FeatureStoreError(`${join(this.dir, name)} is not a whole number of ${this.dim}-d records; delete it`);
    for (let at = 0; at < bytes.length; at += record) {
      const key = Buffer.from(bytes.subarray(at, at + HASH_BYTES)).toString('hex');
      // Copy: a Buffer's slice is a view into a shared pool, not a buffer of its own.
      const row = new Float32Array(this.dim);
      new Uint8Array(row.buffer).set(bytes.subarray(at + HASH_BYTES, at + record));
      this.rows.set(key, row);
    }
  }

  /** Features of RGB images [n, h, w, 3]: stored rows where known, the model for the rest (then stored). */
  async encode(
    model: ClipModel,
    rgb: Uint8Array,
    width: number,
    height: number,
    opts: { onProgress?: (p: { done: number; total: number }) => void } = {},
  ): Promise<Float32Array> {
    if (model.embedDim !== this.dim) throw new FeatureStoreError(`the store holds ${this.dim}-d features, the model gives ${model.embedDim}-d`);
    const per = width * height * 3;
    const n = rgb.length / per;
    if (!Number.isInteger(n)) throw new FeatureStoreError(`image bytes (${rgb.length}) are not a whole number of ${width}x${height} RGB images`);
    const keys = Array.from({ length: n }, (_, i) =>
      createHash('sha256').update(`${width}x${height}:`).update(rgb.subarray(i * per, (i + 1) * per)).digest().subarray(0, HASH_BYTES).toString('hex'),
    );
    const missing = [...new Set(keys.filter((k) => !this.rows.has(k)))];
    if (missing.length > 0) {
      const firstIndex = new Map<string, number>();
      keys.forEach((k, i) => firstIndex.has(k) || firstIndex.set(k, i));
      const pixels = new Uint8Array(missing.length * per);
      missing.forEach((k, j) => pixels.set(rgb.subarray(firstIndex.get(k)! * per, (firstIndex.get(k)! + 1) * per), j * per));
      const features = await encodeRgbImages(model, pixels, width, height, { batchSize: 32, onProgress: opts.onProgress });
      await this.append(missing, features);
    }
    const out = new Float32Array(n * this.dim);
    keys.forEach((k, i) => out.set(this.rows.get(k)!, i * this.dim));
    opts.onProgress?.({ done: n, total: n });
    return out;
  }

  private async append(keys: string[], features: Float32Array): Promise<void> {
    const record = HASH_BYTES + 4 * this.dim;
    const bytes = new Uint8Array(keys.length * record);
    keys.forEach((k, j) => {
      const row = features.slice(j * this.dim, (j + 1) * this.dim);
      this.rows.set(k, row);
      bytes.set(Buffer.from(k, 'hex'), j * record);
      bytes.set(new Uint8Array(row.buffer), j * record + HASH_BYTES);
    });
    const name = `${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.feat`;
    await writeFile(join(this.dir, `${name}.tmp`), bytes);
    await rename(join(this.dir, `${name}.tmp`), join(this.dir, name));
  }
}
