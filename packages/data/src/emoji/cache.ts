import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bump when the layout of the cache or the way images are rendered changes. */
export const EMOJI_CACHE_FORMAT = 1;
const INDEX_FILE = 'index.json';

export interface CachedStyleEntry {
  /** Content hash of everything the pixels depend on (icon set, concepts, size, renderer). */
  key: string;
  /** Binary file beside the index: raw RGB, [n, size, size, 3], in `concepts` order. */
  file: string;
  imageSize: number;
  concepts: string[];
  /** Concepts whose icon failed to render, with the reason; they have no image. */
  failed: { concept: string; reason: string }[];
  createdAt: string;
}

interface CacheIndex {
  format: number;
  entries: Record<string, CachedStyleEntry>;
}

export class EmojiCacheError extends Error {
  override name = 'EmojiCacheError';
}

function readIndex(dir: string): CacheIndex {
  const path = join(dir, INDEX_FILE);
  if (!existsSync(path)) return { format: EMOJI_CACHE_FORMAT, entries: {} };
  try {
    const index = JSON.parse(readFileSync(path, 'utf8')) as CacheIndex;
    if (index.format !== EMOJI_CACHE_FORMAT || typeof index.entries !== 'object') return { format: EMOJI_CACHE_FORMAT, entries: {} };
    return index;
  } catch {
    return { format: EMOJI_CACHE_FORMAT, entries: {} }; // a damaged index only costs a re-render
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The cached images of one style when the cache holds them under this key, otherwise null. */
export function readCachedStyle(dir: string, name: string, key: string): { entry: CachedStyleEntry; images: Uint8Array } | null {
  const entry = readIndex(dir).entries[name];
  if (!entry || entry.key !== key) return null;
  const path = join(dir, entry.file);
  if (!existsSync(path)) return null;
  const images = new Uint8Array(readFileSync(path));
  if (images.length !== entry.concepts.length * entry.imageSize * entry.imageSize * 3) return null;
  return { entry, images };
}

export function writeCachedStyle(dir: string, name: string, entry: Omit<CachedStyleEntry, 'file' | 'createdAt'>, images: Uint8Array): void {
  const expected = entry.concepts.length * entry.imageSize * entry.imageSize * 3;
  if (images.length !== expected) throw new EmojiCacheError(`cache entry ${name}: ${images.length} bytes for ${entry.concepts.length} images, expected ${expected}`);
  mkdirSync(dir, { recursive: true });
  const file = `${name}.rgb`;
  writeAtomic(join(dir, file), images);
  const index = readIndex(dir);
  index.entries[name] = { ...entry, file, createdAt: new Date().toISOString() };
  writeAtomic(join(dir, INDEX_FILE), `${JSON.stringify(index, null, 1)}\n`);
}
