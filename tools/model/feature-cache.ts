import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Frozen-backbone features are deterministic for a given backbone graph, preprocessing and image
 * set, so they are computed once and kept under .cache/ keyed by a hash of all three.
 */

export const DEFAULT_FEATURE_CACHE_DIR = fileURLToPath(new URL('../../.cache/builtin-model', import.meta.url));

export function hashParts(parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(typeof p === 'string' ? `s${p.length}:` : `b${p.length}:`);
    h.update(p);
  }
  return h.digest('hex');
}

export function readCachedFeatures(dir: string, key: string, expectedLength: number): Float32Array | null {
  const file = path.join(dir, `features-${key.slice(0, 24)}.f32`);
  if (!existsSync(file)) return null;
  const buf = readFileSync(file);
  if (buf.byteLength !== expectedLength * 4) return null;
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function writeCachedFeatures(dir: string, key: string, data: Float32Array): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `features-${key.slice(0, 24)}.f32`);
  // Write then rename, so an interrupted build never leaves a truncated cache entry.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  renameSync(tmp, file);
}
