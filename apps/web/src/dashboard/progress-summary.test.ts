import { describe, expect, it } from 'vitest';
import type { RunState } from '@clipfed/protocol';
import { summariseProgress } from './progress-summary';

const state = (s: Partial<RunState>): RunState => ({ runId: 'r', status: 'running', round: 1, totalRounds: 5, connectedClients: 3, ...s });

describe('summariseProgress', () => {
  it('counts who reported in the open round and shows the time left', () => {
    const p = summariseProgress(
      state({ round: 2 }),
      { round: 2, selected: ['a', 'b', 'c'], reported: ['b'], startedAt: 0, deadlineAt: 100_000 },
      2,
      35_000,
    );
    expect(p.headline).toBe('Round 2 of 5: 1 of 3 selected volunteers reported');
    expect(p.countdown).toBe('1:05');
    expect(p.members).toEqual([
      { clientId: 'a', reported: false },
      { clientId: 'b', reported: true },
      { clientId: 'c', reported: false },
    ]);
  });

  it('says so when the deadline is not known', () => {
    const p = summariseProgress(state({}), { round: 2, selected: ['a'], reported: [], startedAt: null, deadlineAt: null }, 1, 0);
    expect(p.countdown).toMatch(/not known/);
  });

  it('says how many more volunteers a run short of minClients needs', () => {
    expect(summariseProgress(state({ round: 3, waitingForClients: 2 }), null, 3, 0).headline).toBe('Round 3 of 5 done; waiting for 2 more volunteers (3 needed, 3 connected)');
  });

  it('tells the operator what the run is waiting for between rounds', () => {
    expect(summariseProgress(state({ status: 'waiting', round: 0, connectedClients: 1 }), null, 2, 0).headline).toBe(
      'Not started: waiting for 2 ready volunteers (1 connected)',
    );
    expect(summariseProgress(state({ round: 3 }), null, 1, 0).headline).toBe('Round 3 of 5 done; waiting for 1 ready volunteer (3 connected)');
  });

  it('reports paused, finished and stopped runs without a countdown', () => {
    expect(summariseProgress(state({ status: 'paused', round: 2 }), null, 2, 0)).toMatchObject({ headline: 'Paused after round 2 of 5', countdown: null });
    expect(summariseProgress(state({ status: 'finished', round: 5 }), null, 2, 0).headline).toBe('Finished: all 5 rounds done');
    expect(summariseProgress(state({ status: 'stopped', round: 1 }), null, 2, 0).headline).toBe('Stopped after round 1 of 5');
  });
});
