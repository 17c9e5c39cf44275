import type { IdentityStore, SavedIdentity } from '@clipfed/client';

const KEY = 'clipfed:identity';

/**
 * The tab's identity in sessionStorage: it survives a reload of this tab (the volunteer keeps their shard and their
 * count of rounds, and leaves no abandoned session behind) but not the tab's closing, and other tabs never see it.
 * A duplicated tab gets a copy, which the server refuses to resume while the original is connected.
 */
export function sessionIdentityStore(storage: Storage | undefined = globalThis.sessionStorage): IdentityStore {
  return {
    load() {
      try {
        const saved = JSON.parse(storage?.getItem(KEY) ?? 'null') as Partial<SavedIdentity> | null;
        if (typeof saved?.runId === 'string' && typeof saved.clientId === 'string' && typeof saved.resumeSecret === 'string') {
          return { runId: saved.runId, clientId: saved.clientId, resumeSecret: saved.resumeSecret };
        }
      } catch {
        // Unreadable (storage disabled, or damaged by hand): join as a new client.
      }
      return undefined;
    },
    save(identity) {
      try {
        storage?.setItem(KEY, JSON.stringify(identity));
      } catch {
        // Storage full or disabled: the tab still works, a reload just joins anew.
      }
    },
  };
}
