import type { RunState } from '@clipfed/protocol';
import { postJson, runUrl } from './api';
import { byId } from './dom';
import { notify } from './notice';
import { requireToken } from './run-form';

type Action = 'resume' | 'pause' | 'stop';

/** Which actions make sense in which state (the server ignores the others, but a disabled button says why not). */
const ALLOWED: Record<RunState['status'], readonly Action[]> = {
  waiting: ['pause', 'stop'],
  running: ['pause', 'stop'],
  paused: ['resume', 'stop'],
  finished: [],
  stopped: [],
};

export function updateControls(status: RunState['status']): void {
  for (const action of ['resume', 'pause', 'stop'] as const) {
    byId<HTMLButtonElement>(action).disabled = !ALLOWED[status].includes(action);
  }
}

/** Wires resume, pause and stop to the HTTP API of the run `currentRunId()` returns. */
export function mountControls(currentRunId: () => string | null): void {
  for (const action of ['resume', 'pause', 'stop'] as const) {
    byId(action).addEventListener('click', () => {
      const runId = currentRunId();
      if (!runId) return;
      const token = requireToken();
      if (!token) return;
      if (action === 'stop' && !confirm(`Stop run ${runId} for good? A stopped run cannot be resumed.`)) return;
      postJson<RunState>(runUrl(runId, `/${action}`), token)
        .then((state) => notify(`Run ${runId} is now ${state.status}.`))
        .catch((err: unknown) => notify(err instanceof Error ? err.message : String(err), 'error'));
    });
  }
}
