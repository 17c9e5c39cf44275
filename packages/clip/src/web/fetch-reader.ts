import { ModelLoadError } from '../errors';
import { LAYOUT_HELP, MANIFEST_FILE, parseManifest, type Manifest, type ModelFileReader } from '../model-files';

export interface FetchReaderOptions {
  /** Cache Storage bucket for downloaded files; null turns caching off. Default 'clipfed-model-v1'. */
  cacheName?: string | null;
  fetch?: typeof fetch;
}

/**
 * Reads model files over HTTP with byte progress, keeping each completed download in Cache
 * Storage so a second visit loads from disk. manifest.json is always fetched fresh; when it
 * lists a file, the cache key carries the file's sha256, so a changed file is downloaded again.
 */
export class FetchModelFileReader implements ModelFileReader {
  private readonly base: URL;
  private readonly cacheName: string | null;
  private readonly fetchFn: typeof fetch;
  private manifest: Manifest | null = null;

  constructor(baseUrl: string | URL, opts: FetchReaderOptions = {}) {
    const href = typeof baseUrl === 'string' ? baseUrl : baseUrl.href;
    const origin = typeof location !== 'undefined' ? location.href : undefined;
    this.base = new URL(href.endsWith('/') ? href : `${href}/`, origin);
    this.cacheName = opts.cacheName === undefined ? 'clipfed-model-v1' : opts.cacheName;
    this.fetchFn = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  describe(): string {
    return this.base.href;
  }

  async exists(relativePath: string): Promise<boolean> {
    // A manifest lists every file of the folder: asking the server about one it lacks would only log a 404 in the
    // volunteer's console (the loader probes fp32 before the quantised towers).
    if (this.manifest && relativePath !== MANIFEST_FILE) return this.manifest.has(relativePath);
    if (relativePath !== MANIFEST_FILE && (await this.cached(relativePath))) return true;
    const res = await this.request(relativePath, { method: 'HEAD', cache: 'no-store' });
    // A server that refuses HEAD: say yes and let read() report what is really there.
    return res.ok || res.status === 405 || res.status === 501;
  }

  async read(relativePath: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    if (relativePath === MANIFEST_FILE) {
      const bytes = await this.download(relativePath, { cache: 'no-store' }, onProgress);
      try {
        this.manifest = parseManifest(JSON.parse(new TextDecoder().decode(bytes)));
      } catch {
        this.manifest = null; // the loader reports a bad manifest itself
      }
      return bytes;
    }
    const expected = this.manifest?.get(relativePath)?.bytes;
    const hit = await this.cached(relativePath);
    if (hit) {
      const bytes = await readBody(hit, relativePath, onProgress);
      if (expected === undefined || bytes.length === expected) return bytes;
      await this.evict(relativePath); // a cached copy that no longer matches: fetch it again
    }
    const bytes = await this.download(relativePath, {}, onProgress);
    if (expected === undefined || bytes.length === expected) await this.store(relativePath, bytes);
    return bytes;
  }

  /** Removes every cached file of this model (all URLs under the base). */
  async clearCache(): Promise<void> {
    const cache = await this.openCache();
    if (!cache) return;
    for (const req of await cache.keys()) if (req.url.startsWith(this.base.href)) await cache.delete(req);
  }

  private url(relativePath: string): URL {
    return new URL(relativePath, this.base);
  }

  private cacheKey(relativePath: string): string {
    const sha = this.manifest?.get(relativePath)?.sha256;
    const url = this.url(relativePath);
    if (sha) url.searchParams.set('sha256', sha);
    return url.href;
  }

  private async openCache(): Promise<Cache | null> {
    if (!this.cacheName || typeof caches === 'undefined') return null;
    try {
      return await caches.open(this.cacheName);
    } catch {
      return null; // e.g. an opaque origin or storage disabled: run without the cache
    }
  }

  private async cached(relativePath: string): Promise<Response | null> {
    const cache = await this.openCache();
    return (await cache?.match(this.cacheKey(relativePath))) ?? null;
  }

  private async evict(relativePath: string): Promise<void> {
    await (await this.openCache())?.delete(this.cacheKey(relativePath));
  }

  private async store(relativePath: string, bytes: Uint8Array): Promise<void> {
    const cache = await this.openCache();
    if (!cache) return;
    try {
      const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) };
      await cache.put(this.cacheKey(relativePath), new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
    } catch {
      // Quota exceeded or private mode: the model still works, it is just downloaded next time.
    }
  }

  private async request(relativePath: string, init: RequestInit): Promise<Response> {
    const url = this.url(relativePath);
    try {
      return await this.fetchFn(url, init);
    } catch (e) {
      throw new ModelLoadError('no-network', `could not reach ${url.href}: ${(e as Error).message}. Check the connection and the model URL.`, relativePath, { cause: e });
    }
  }

  private async download(relativePath: string, init: RequestInit, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    const res = await this.request(relativePath, init);
    if (res.status === 404 || res.status === 410) {
      throw new ModelLoadError('missing-file', `${relativePath} is missing at ${this.base.href} (HTTP ${res.status}).\n${LAYOUT_HELP}`, relativePath);
    }
    if (!res.ok) {
      throw new ModelLoadError('no-network', `${this.url(relativePath).href} answered HTTP ${res.status} ${res.statusText}`.trim(), relativePath);
    }
    return readBody(res, relativePath, onProgress);
  }
}

/** Reads a response body in chunks, reporting progress against content-length when known. */
async function readBody(res: Response, file: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length')) || 0;
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    onProgress?.(bytes.length, bytes.length);
    return bytes;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress?.(0, declared);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      // A compressed transfer declares fewer bytes than it delivers.
      onProgress?.(loaded, Math.max(declared, loaded));
    }
  } catch (e) {
    throw new ModelLoadError('no-network', `the download of ${file} broke off after ${loaded} bytes: ${(e as Error).message}`, file, { cause: e });
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
