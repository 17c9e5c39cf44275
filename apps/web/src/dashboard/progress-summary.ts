import type { RunState } from '@clipfed/protocol';
import type { RoundProgress } from '@clipfed/protocol';
import { formatCountdown } from './countdown';

export interface ProgressSummary {
  headline: string;
  /** Time left in the open round ('1:05'), a note when unknown, or null when no round is open. */
  countdown: string | null;
  reported: number;
  selected: number;
  members: { clientId: string; reported: boolean }[];
}

/** What the round-progress panel says, from the run's state and its open round (if any). */
export function summariseProgress(state: RunState, progress: RoundProgress | null, minClients: number, serverNow: number): ProgressSummary {
  const { round, totalRounds: total, connectedClients: connected } = state;
  if (progress) {
    const reported = new Set(progress.reported);
    return {
      headline: `Round ${progress.round} of ${total}: ${reported.size} of ${progress.selected.length} selected volunteers reported`,
      countdown: progress.deadlineAt === null ? 'deadline not known (watching began mid-round)' : formatCountdown(progress.deadlineAt - serverNow),
      reported: reported.size,
      selected: progress.selected.length,
      members: progress.selected.map((clientId) => ({ clientId, reported: reported.has(clientId) })),
    };
  }
  const more = state.waitingForClients;
  const waiting = more
    ? `waiting for ${more} more volunteer${more === 1 ? '' : 's'} (${minClients} needed, ${connected} connected)`
    : `waiting for ${minClients} ready volunteer${minClients === 1 ? '' : 's'} (${connected} connected)`;
  const headline = {
    waiting: `Not started: ${waiting}`,
    running: `Round ${round} of ${total} done; ${waiting}`,
    paused: `Paused after round ${round} of ${total}`,
    finished: `Finished: all ${total} rounds done`,
    stopped: `Stopped after round ${round} of ${total}`,
  }[state.status];
  return { headline, countdown: null, reported: 0, selected: 0, members: [] };
}
