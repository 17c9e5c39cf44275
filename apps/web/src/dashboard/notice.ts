import { byId } from './dom';

/** How long a success message stays; errors stay until the next message, so they cannot be missed. */
const INFO_MS = 10_000;
let clearTimer: ReturnType<typeof setTimeout> | undefined;

/** One line at the top of the page for the result of the operator's last action (a polite live region). */
export function notify(message: string, kind: 'info' | 'error' = 'info'): void {
  const el = byId('notice');
  el.textContent = message;
  el.dataset.kind = kind;
  clearTimeout(clearTimer);
  if (kind === 'info') clearTimer = setTimeout(() => (el.textContent = ''), INFO_MS);
}
