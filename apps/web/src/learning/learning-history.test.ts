import { describe, expect, it } from 'vitest';
import { LearningHistory } from './learning-history';

describe('the volunteer page learning history', () => {
  it('plots global accuracy per round against a flat zero-shot line, and this tab on the rounds it trained', () => {
    const h = new LearningHistory();
    h.addGlobal(0, 0.685, 0.685);
    h.addContribution(1, 0.9);
    h.addGlobal(1, 0.7, 0.685);
    h.addGlobal(2, 0.72, 0.685);
    const d = h.chartData();
    expect(d.columns[0]).toEqual([0, 1, 2]);
    expect(d.columns[1]).toEqual([68.5, 70, 72]);
    expect(d.columns[2]).toEqual([null, 90, null]);
    expect(d.columns[3]).toEqual([68.5, 68.5, 68.5]);
    expect(h.contributionText()).toBe('Your tab contributed 1 of 2 rounds');
  });

  it('learns earlier rounds and earlier contributions of this client from the run metrics', () => {
    const h = new LearningHistory();
    h.addHistory(
      [
        { round: 0, accuracy: 0.6, zeroShotAccuracy: 0.6, participants: [] },
        { round: 1, accuracy: 0.62, zeroShotAccuracy: 0.6, participants: ['c1-a', 'c2-b'] },
        { round: 2, accuracy: 0.64, zeroShotAccuracy: 0.6, participants: ['c2-b'] },
      ],
      'c1-a',
    );
    expect(h.contributionText()).toBe('Your tab contributed 1 of 2 rounds');
    // The same round reported twice (history, then live) counts once.
    h.addContribution(1, 0.8);
    expect(h.contributedCount).toBe(1);
  });

  it('counts an upload only once its round has closed', () => {
    const h = new LearningHistory();
    h.addGlobal(0, 0.5, 0.5);
    expect(h.contributionText()).toBe('No round completed yet');
    h.addContribution(1, 0.7);
    expect(h.contributedCount).toBe(0);
    h.addGlobal(1, 0.55, 0.5);
    expect(h.contributionText()).toBe('Your tab contributed 1 of 1 round');
  });
});
