/** Clock text for the round deadline and for when a client was last heard from. */

const pad = (n: number) => String(n).padStart(2, '0');

/** Time left as m:ss (or h:mm:ss); rounds up, so 0:00 shows only once the deadline has passed. */
export function formatCountdown(msLeft: number): string {
  if (!Number.isFinite(msLeft)) return '–';
  if (msLeft <= 0) return '0:00';
  const total = Math.ceil(msLeft / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** How long ago, coarsely: an operator scanning fifty rows wants "12 s ago", not a timestamp. */
export function formatAgo(then: number, now: number): string {
  if (!then) return 'never';
  const s = Math.max(0, Math.floor((now - then) / 1000));
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/**
 * The server's clock minus this page's, from a message stamped with the server's time. Countdowns use it so a
 * projector computer with a wrong clock still shows the right time left.
 */
export function clockOffset(serverNow: number, localNow: number): number {
  return serverNow - localNow;
}
