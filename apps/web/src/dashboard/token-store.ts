/**
 * The operator token lives in sessionStorage: it survives a reload of this tab but not closing it, and other
 * tabs (volunteer tabs on the same computer included) never see it.
 */
const KEY = 'clipfed.operatorToken';

export function loadToken(storage: Storage = sessionStorage): string {
  return storage.getItem(KEY) ?? '';
}

export function saveToken(token: string, storage: Storage = sessionStorage): void {
  if (token) storage.setItem(KEY, token);
  else storage.removeItem(KEY);
}
