import type { ChartData } from '../dashboard/chart-data';

/** One evaluated round as GET /api/runs/:runId/metrics gives it (only the fields the volunteer page reads). */
export interface EvaluatedRound {
  round: number;
  accuracy: number;
  zeroShotAccuracy: number;
  participants?: readonly string[];
}

export const LEARNING_LABELS = {
  global: 'Global accuracy',
  local: "This tab's own images",
  zeroShot: 'Zero-shot CLIP',
} as const;

const percent = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : 100 * x);

/**
 * What the volunteer page plots: the global model's accuracy per round (round 0 is zero-shot CLIP before any
 * training), this tab's accuracy on its own images after each round it trained, and which rounds it contributed
 * to. A tab that joins late learns the earlier rounds from the run's public metrics; live rounds come from the
 * run state every client receives.
 */
export class LearningHistory {
  private readonly global = new Map<number, { accuracy: number; zeroShot: number }>();
  private readonly local = new Map<number, number>();
  private readonly contributedRounds = new Set<number>();

  /** The run's metrics so far; `clientId` marks the rounds this tab (in an earlier page load too) took part in. */
  addHistory(rows: readonly EvaluatedRound[], clientId: string | undefined): void {
    for (const r of rows) {
      this.addGlobal(r.round, r.accuracy, r.zeroShotAccuracy);
      if (clientId && r.round > 0 && r.participants?.includes(clientId)) this.contributedRounds.add(r.round);
    }
  }

  addGlobal(round: number, accuracy: number, zeroShot: number): void {
    this.global.set(round, { accuracy, zeroShot });
  }

  /** A round this tab trained and the server accepted, with its accuracy on its own images. */
  addContribution(round: number, localAccuracy: number | undefined): void {
    this.contributedRounds.add(round);
    if (localAccuracy !== undefined) this.local.set(round, localAccuracy);
  }

  /** Rounds the run has completed (round 0, the zero-shot evaluation, is not one). */
  get completedRounds(): number {
    return Math.max(0, ...this.global.keys());
  }

  /** Contributed rounds among the completed ones (an upload to a round not yet closed counts once it closes). */
  get contributedCount(): number {
    const done = this.completedRounds;
    return [...this.contributedRounds].filter((r) => r <= done).length;
  }

  contributionText(): string {
    const m = this.completedRounds;
    return m === 0 ? 'No round completed yet' : `Your tab contributed ${this.contributedCount} of ${m} round${m === 1 ? '' : 's'}`;
  }

  chartData(): ChartData {
    const rounds = [...new Set([...this.global.keys(), ...this.local.keys()])].sort((a, b) => a - b);
    const zeroShot = [...this.global.values()].at(-1)?.zeroShot;
    const columns: ChartData['columns'] = [
      rounds,
      rounds.map((r) => percent(this.global.get(r)?.accuracy)),
      rounds.map((r) => percent(this.local.get(r))),
      // Zero-shot CLIP does not change during a run: one flat reference line.
      rounds.map(() => percent(zeroShot)),
    ];
    return { labels: [LEARNING_LABELS.global, LEARNING_LABELS.local, LEARNING_LABELS.zeroShot], columns };
  }
}
