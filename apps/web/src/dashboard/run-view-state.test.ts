import { describe, expect, it } from 'vitest';
import { runConfigSchema } from '@clipfed/protocol';
import { RunViewState } from './run-view-state';

const snapshot = {
  state: { runId: 'r1', status: 'running' as const, round: 1, totalRounds: 3, connectedClients: 2 },
  config: runConfigSchema.parse({ rounds: 3 }),
  classNames: ['cat', 'dog'],
  clients: [],
  metrics: [
    { round: 1, accuracy: 0.6 },
    { round: 0, accuracy: 0.5 },
  ],
  progress: null,
  serverNow: 10_000,
};

describe('RunViewState', () => {
  it('keeps one row per round in round order when a live row repeats one from the snapshot', () => {
    const v = new RunViewState(snapshot, 9_000);
    v.applyMetrics({ round: 1, accuracy: 0.61 });
    v.applyMetrics({ round: 2, accuracy: 0.7 });
    expect(v.metrics).toEqual([
      { round: 0, accuracy: 0.5 },
      { round: 1, accuracy: 0.61 },
      { round: 2, accuracy: 0.7 },
    ]);
  });

  it('converts this page clock to the server clock with the latest offset', () => {
    const v = new RunViewState(snapshot, 9_000);
    expect(v.serverNow(9_500)).toBe(10_500);
    v.applyProgress(null, 20_000, 20_000);
    expect(v.serverNow(21_000)).toBe(21_000);
  });

  it('keeps only the newest refusals', () => {
    const v = new RunViewState(snapshot, 0);
    for (let i = 0; i < 25; i++) v.addRefusal({ clientId: `c${i}`, code: 'bad-update', reason: 'NaN', at: i });
    expect(v.refusals).toHaveLength(20);
    expect(v.refusals[0].clientId).toBe('c24');
  });
});
