import { describe, expect, it } from 'vitest';
import type { RunState } from '@clipfed/protocol';
import { runStats } from './run-stats';

const state: RunState = { runId: 'r', status: 'running', round: 3, totalRounds: 10, connectedClients: 27 };

describe('run stats', () => {
  it('gives volunteers, rounds and the latest accuracy against zero-shot', () => {
    const stats = runStats(state, [
      { round: 2, accuracy: 0.7, zeroShotAccuracy: 0.685 },
      { round: 3, accuracy: 0.7234, zeroShotAccuracy: 0.685 },
    ]);
    expect(stats).toEqual([
      { key: 'volunteers', value: '27', label: 'volunteers connected' },
      { key: 'round', value: '3 / 10', label: 'rounds done (running)' },
      { key: 'accuracy', value: '72.3 %', label: 'accuracy now (zero-shot CLIP 68.5 %)' },
    ]);
  });

  it('adds the balanced head when the run has one, and shows a dash before the first evaluation', () => {
    expect(runStats({ ...state, connectedClients: 1 }, []).map((s) => [s.value, s.label])).toEqual([
      ['1', 'volunteer connected'],
      ['3 / 10', 'rounds done (running)'],
      ['–', 'accuracy now (zero-shot CLIP –)'],
    ]);
    const clip2fl = runStats(state, [{ round: 1, accuracy: 0.8, zeroShotAccuracy: 0.7, balancedHead: { accuracy: 0.81 } }]);
    expect(clip2fl.at(-1)).toEqual({ key: 'balanced', value: '81.0 %', label: 'balanced head (CLIP2FL / CReFF)' });
  });

  it("calls the student's own head its FedAvg head", () => {
    const stats = runStats(state, [{ round: 1, accuracy: 0.3, zeroShotAccuracy: 0.88, balancedHead: { accuracy: 0.35 } }], 'student-resnet8');
    expect(stats.find((s) => s.key === 'accuracy')?.label).toBe('FedAvg head now (zero-shot CLIP 88.0 %)');
  });
});
