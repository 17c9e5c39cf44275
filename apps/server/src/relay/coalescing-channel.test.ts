import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunState } from '@clipfed/protocol';
import { coalescingChannel } from './coalescing-channel';

const state = (round: number): RunState => ({ runId: 'r', status: 'running', round, totalRounds: 9, connectedClients: 2 });

describe('coalescingChannel', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the first state at once, then at most one per interval, always ending with the newest', () => {
    const sent: unknown[][] = [];
    const channel = coalescingChannel((...args) => sent.push(args), 250);
    channel.send('run:state', state(1));
    expect(sent).toEqual([['run:state', state(1)]]);
    for (let r = 2; r <= 100; r++) channel.send('run:state', state(r));
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(250);
    expect(sent).toEqual([
      ['run:state', state(1)],
      ['run:state', state(100)],
    ]);
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(2);
  });

  it('flushes a waiting state before any other message, keeping their order', () => {
    const sent: string[] = [];
    const channel = coalescingChannel((event, payload) => sent.push(`${event}:${(payload as { round: number }).round}`), 250);
    channel.send('run:state', state(1));
    channel.send('run:state', state(2));
    channel.send('round:start', { runId: 'r', round: 3, totalRounds: 9, deadlineAt: 0, training: { localEpochs: 1, batchSize: 32, learningRate: 1e-3, weightDecay: 0, seed: 1 }, weights: [] });
    expect(sent).toEqual(['run:state:1', 'run:state:2', 'round:start:3']);
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(3);
  });

  it('never merges away a state that carries a message', () => {
    const sent: unknown[][] = [];
    const channel = coalescingChannel((...args) => sent.push(args), 250);
    channel.send('run:state', state(1));
    channel.send('run:state', state(2));
    channel.send('run:state', { ...state(2), message: 'server shutting down' });
    channel.send('run:state', state(3));
    expect(sent.map(([, s]) => (s as RunState).message ?? (s as RunState).round)).toEqual([1, 2, 'server shutting down']);
    vi.advanceTimersByTime(250);
    expect(sent).toHaveLength(4);
  });

  it('reads an interval given as a function at each state (the gateway grows it with the connection count)', () => {
    const sent: unknown[][] = [];
    let connections = 10;
    const channel = coalescingChannel((...args) => sent.push(args), () => Math.max(250, connections));
    channel.send('run:state', state(1));
    connections = 1000;
    channel.send('run:state', state(2));
    vi.advanceTimersByTime(250);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(750);
    expect(sent.map(([, s]) => (s as RunState).round)).toEqual([1, 2]);
  });

  it('drops a waiting state once closed', () => {
    const sent: unknown[] = [];
    const channel = coalescingChannel((...args) => sent.push(args), 250);
    channel.send('run:state', state(1));
    channel.send('run:state', state(2));
    channel.close();
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(1);
  });
});
