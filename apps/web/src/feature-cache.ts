import type { FeatureCache } from '@clipfed/client';

/** Encoded image features in IndexedDB, so a returning volunteer never re-encodes the same images. */
export function indexedDbFeatureCache(dbName = 'clipfed-features'): FeatureCache {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(dbName, 1);
      req.onupgradeneeded = () => req.result.createObjectStore('features');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  const run = async <T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> => {
    const db = await open();
    try {
      return await new Promise<T>((resolve, reject) => {
        const r = op(db.transaction('features', mode).objectStore('features'));
        r.onsuccess = () => resolve(r.result as T);
        r.onerror = () => reject(r.error);
      });
    } finally {
      db.close();
    }
  };
  return {
    async get(key) {
      try {
        const v = await run<ArrayBuffer | undefined>('readonly', (s) => s.get(key));
        return v ? new Float32Array(v) : null;
      } catch {
        return null; // a private window or a full disk only costs a re-encode
      }
    },
    async put(key, features) {
      try {
        await run('readwrite', (s) => s.put(features.slice().buffer, key));
      } catch {
        /* caching is an optimisation, never a failure */
      }
    },
  };
}
