import type { RunState } from '@clipfed/protocol';

/**
 * How many more ready volunteers a live run needs before its next round can start, for the state every tab and
 * dashboard shows: a run short of `minClients` is not "running", it is waiting for people.
 */
export function waitingFor(status: RunState['status'], roundInProgress: boolean, readyCount: number, minClients: number): Pick<RunState, 'waitingForClients'> {
  if (roundInProgress || (status !== 'waiting' && status !== 'running') || readyCount >= minClients) return {};
  return { waitingForClients: minClients - readyCount };
}
