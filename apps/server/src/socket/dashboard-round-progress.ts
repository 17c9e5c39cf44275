import type { RoundProgress } from '@clipfed/protocol';

export interface RunObservation {
  /** The round in progress, or null when none is open (waiting for clients, between rounds, paused, done). */
  openRound: number | null;
  clients: readonly { clientId: string; connected: boolean; stage: string }[];
  roundDeadlineMs: number;
  now: number;
}

/** Stages a selected client passes through while a round is open (server-set or reported by the client). */
const IN_ROUND_STAGES = new Set(['training', 'download', 'train', 'upload', 'uploaded']);

/**
 * Reconstructs a run's open round from the run's public events. A FederatedRun announces a new round with a
 * state event right after it marks the selected clients 'training' and sets the deadline to now + the run's
 * roundDeadlineMs, so watching that transition gives the selection and the deadline; 'update' events say who
 * reported. A round first seen already open (the dashboard attached late) is marked by a null deadline.
 */
export class RoundProgressTracker {
  private current: RoundProgress | null = null;
  /** undefined until the first observation: a round open then was not seen starting. */
  private lastOpenRound: number | null | undefined = undefined;

  observe(o: RunObservation): RoundProgress | null {
    const seenStarting = this.lastOpenRound !== undefined;
    this.lastOpenRound = o.openRound;
    if (o.openRound === null) {
      this.current = null;
      return null;
    }
    if (this.current?.round === o.openRound) return this.current;
    const connected = o.clients.filter((c) => c.connected);
    if (seenStarting) {
      this.current = {
        round: o.openRound,
        selected: connected.filter((c) => c.stage === 'training').map((c) => c.clientId),
        reported: [],
        startedAt: o.now,
        deadlineAt: o.now + o.roundDeadlineMs,
      };
    } else {
      this.current = {
        round: o.openRound,
        selected: connected.filter((c) => IN_ROUND_STAGES.has(c.stage)).map((c) => c.clientId),
        reported: connected.filter((c) => c.stage === 'uploaded').map((c) => c.clientId),
        startedAt: null,
        deadlineAt: null,
      };
    }
    return this.current;
  }

  /** Records an accepted update; returns true when it changed the progress. */
  reported(clientId: string, round: number): boolean {
    const p = this.current;
    if (!p || p.round !== round || p.reported.includes(clientId)) return false;
    p.reported.push(clientId);
    if (!p.selected.includes(clientId)) p.selected.push(clientId);
    return true;
  }

  progress(): RoundProgress | null {
    return this.current;
  }
}
