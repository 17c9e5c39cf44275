import { describe, expect, it } from 'vitest';
import { RoundProgressTracker } from './dashboard-round-progress';

const client = (clientId: string, stage: string, connected = true) => ({ clientId, stage, connected });

describe('RoundProgressTracker', () => {
  it('takes the selection and deadline from the state event that opens a round', () => {
    const t = new RoundProgressTracker();
    expect(t.observe({ openRound: null, clients: [client('a', 'ready')], roundDeadlineMs: 60_000, now: 1_000 })).toBeNull();
    const p = t.observe({
      openRound: 1,
      clients: [client('a', 'training'), client('b', 'ready'), client('c', 'training', false)],
      roundDeadlineMs: 60_000,
      now: 5_000,
    });
    expect(p).toEqual({ round: 1, selected: ['a'], reported: [], startedAt: 5_000, deadlineAt: 65_000 });
  });

  it('keeps the round while it stays open, even when clients report other stages', () => {
    const t = new RoundProgressTracker();
    t.observe({ openRound: null, clients: [], roundDeadlineMs: 10_000, now: 0 });
    t.observe({ openRound: 2, clients: [client('a', 'training'), client('b', 'training')], roundDeadlineMs: 10_000, now: 100 });
    const p = t.observe({ openRound: 2, clients: [client('a', 'train'), client('b', 'ready')], roundDeadlineMs: 10_000, now: 900 });
    expect(p?.selected).toEqual(['a', 'b']);
    expect(p?.deadlineAt).toBe(10_100);
  });

  it('records who reported, once, and only for the open round', () => {
    const t = new RoundProgressTracker();
    t.observe({ openRound: null, clients: [], roundDeadlineMs: 10_000, now: 0 });
    t.observe({ openRound: 3, clients: [client('a', 'training'), client('b', 'training')], roundDeadlineMs: 10_000, now: 0 });
    expect(t.reported('a', 2)).toBe(false);
    expect(t.reported('a', 3)).toBe(true);
    expect(t.reported('a', 3)).toBe(false);
    expect(t.progress()?.reported).toEqual(['a']);
  });

  it('starts afresh when a round is re-issued after falling short of quorum', () => {
    const t = new RoundProgressTracker();
    t.observe({ openRound: null, clients: [], roundDeadlineMs: 1_000, now: 0 });
    t.observe({ openRound: 1, clients: [client('a', 'training'), client('b', 'training')], roundDeadlineMs: 1_000, now: 0 });
    t.reported('a', 1);
    t.observe({ openRound: null, clients: [client('a', 'ready'), client('b', 'training')], roundDeadlineMs: 1_000, now: 1_000 });
    const p = t.observe({ openRound: 1, clients: [client('a', 'training'), client('b', 'training')], roundDeadlineMs: 1_000, now: 1_001 });
    expect(p).toEqual({ round: 1, selected: ['a', 'b'], reported: [], startedAt: 1_001, deadlineAt: 2_001 });
  });

  it('marks a round it did not see start as having an unknown deadline', () => {
    const t = new RoundProgressTracker();
    const p = t.observe({
      openRound: 4,
      clients: [client('a', 'train'), client('b', 'uploaded'), client('c', 'ready')],
      roundDeadlineMs: 10_000,
      now: 50,
    });
    expect(p).toEqual({ round: 4, selected: ['a', 'b'], reported: ['b'], startedAt: null, deadlineAt: null });
  });
});
