/** What expiry needs to know of a session. */
export interface ExpirableSession {
  clientId: string;
  connected: boolean;
  /** When it was last heard from (or left). */
  lastSeen: number;
}

/** Disconnected sessions a run keeps within the grace period at most; the oldest go first beyond it. */
export const MAX_DISCONNECTED_SESSIONS = 1000;

/**
 * The sessions to forget: disconnected for longer than the grace period (the tab is not coming back; if it does,
 * it joins as a new client), and beyond MAX_DISCONNECTED_SESSIONS the oldest disconnected ones, so a stream of
 * hello-then-disconnect cannot grow the state every broadcast, checkpoint and sample walks through.
 */
export function expiredSessions(sessions: Iterable<ExpirableSession>, now: number, graceMs: number): string[] {
  const disconnected = [...sessions].filter((s) => !s.connected);
  const expired = new Set(disconnected.filter((s) => now - s.lastSeen > graceMs).map((s) => s.clientId));
  const kept = disconnected.filter((s) => !expired.has(s.clientId)).sort((a, b) => a.lastSeen - b.lastSeen);
  for (const s of kept.slice(0, Math.max(0, kept.length - MAX_DISCONNECTED_SESSIONS))) expired.add(s.clientId);
  return [...expired];
}
