import { describe, expect, it } from 'vitest';
import { expiredSessions, MAX_DISCONNECTED_SESSIONS } from './session-expiry';

describe('session expiry', () => {
  it('forgets sessions disconnected past the grace period, never connected ones', () => {
    const sessions = [
      { clientId: 'gone', connected: false, lastSeen: 0 },
      { clientId: 'recent', connected: false, lastSeen: 9_500 },
      { clientId: 'live', connected: true, lastSeen: 0 },
    ];
    expect(expiredSessions(sessions, 10_000, 1_000)).toEqual(['gone']);
  });

  it('keeps at most MAX_DISCONNECTED_SESSIONS within the grace period, dropping the oldest first', () => {
    const sessions = Array.from({ length: MAX_DISCONNECTED_SESSIONS + 3 }, (_, i) => ({ clientId: `c${i}`, connected: false, lastSeen: 1_000 + i }));
    expect(expiredSessions(sessions, 2_000, 600_000).sort()).toEqual(['c0', 'c1', 'c2']);
  });
});
