import type { ClientStatus } from '@clipfed/client';
import { LineChart } from '../dashboard/line-chart';
import { LEARNING_LABELS, LearningHistory, type EvaluatedRound } from './learning-history';

const $ = (id: string) => document.getElementById(id)!;

/**
 * The volunteer page's "what the run has learnt" section: a small live chart of the global accuracy per round
 * with zero-shot CLIP as the reference, this tab's own accuracy, and how many rounds this tab contributed to.
 */
export class LearningPanel {
  private readonly history = new LearningHistory();
  private readonly chart = new LineChart($('learning-chart'), {
    y: 'percent',
    format: (v) => `${v.toFixed(0)} %`,
    colors: ['#0072b2', '#d55e00', '#57606a'],
    dashed: [LEARNING_LABELS.zeroShot],
    height: () => 200,
    liveLegend: false,
  });
  private historyAsked = false;
  private contributed = 0;
  private drawn = '';

  onStatus(s: ClientStatus): void {
    if (!this.historyAsked && s.runId && s.clientId) {
      this.historyAsked = true;
      void this.loadHistory(s.runId, s.clientId);
    }
    if (s.globalRound !== undefined && s.globalAccuracy !== undefined && s.zeroShotAccuracy !== undefined) {
      this.history.addGlobal(s.globalRound, s.globalAccuracy, s.zeroShotAccuracy);
    }
    // The count goes up exactly when the server accepted this tab's upload of the current round.
    if (s.contributed.rounds > this.contributed && s.round !== undefined) this.history.addContribution(s.round, s.lastTrainAccuracy);
    this.contributed = s.contributed.rounds;
    this.draw();
  }

  /** Rounds completed before this page was opened (a late join, or a reload), from the run's public metrics. */
  private async loadHistory(runId: string, clientId: string): Promise<void> {
    try {
      const res = await fetch(`/api/runs/${encodeURIComponent(runId)}/metrics`);
      if (!res.ok) return;
      this.history.addHistory((await res.json()) as EvaluatedRound[], clientId);
      this.draw();
    } catch {
      // Without the earlier rounds the chart starts at the next one; nothing else depends on them.
    }
  }

  private draw(): void {
    const data = this.history.chartData();
    const text = this.history.contributionText();
    // Status events arrive many times a second while encoding; redraw only when there is something new.
    const key = JSON.stringify([data.columns, text]);
    if (key === this.drawn) return;
    this.drawn = key;
    $('contribution').textContent = text;
    this.chart.update(data);
  }
}
