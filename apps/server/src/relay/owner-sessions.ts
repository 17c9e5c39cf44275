import type { UpdateAck, Welcome } from '@clipfed/protocol';
import type { ClientChannel } from '../runs/client-channel';
import type { FederatedRun } from '../runs/federated-run';
import type { RunRegistry } from '../runs/run-registry';
import { readClientMessage, runRoute } from '../socket/client-messages';
import type { ClientEnvelope } from './relay-messages';
import type { RelayInbox } from './relay-inbox';
import type { ScaleLog } from './redis-types';

interface RemoteSession {
  from: string;
  sid: string;
  runId: string;
  clientId: string;
}

/**
 * The owner's side of the relay: volunteers whose sockets are held by other processes, as the run sees them.
 * Their messages arrive through the inbox (already validated where they came in; checked again here against the
 * same schemas, the relay is only as trusted as Redis) and reach the run through the same dispatch table as a local
 * socket's (socket/client-messages.ts); the run's messages to them go back to the process holding the socket.
 * Run state is not sent per client: `onStateFanout` broadcasts it once per run through the socket.io adapter.
 */
export class OwnerSessions {
  private readonly sessions = new Map<string, RemoteSession>();

  constructor(
    private readonly registry: RunRegistry,
    private readonly inbox: RelayInbox,
    private readonly log: ScaleLog,
    private readonly onRemoteClient: (run: FederatedRun) => void,
  ) {}

  private key(from: string, sid: string): string {
    return `${from}/${sid}`;
  }

  handle(e: ClientEnvelope): void {
    const run = this.registry.get(e.runId);
    const session = this.sessions.get(this.key(e.from, e.sid));
    switch (e.ev) {
      case 'hello':
        return this.inbox.reply(e.from, e.req!, this.hello(e, run));
      case 'ready': {
        const parsed = readClientMessage('ready', e.data);
        if (run && session && parsed.ok) runRoute(run, session.clientId).ready(parsed.value);
        return;
      }
      case 'progress': {
        const parsed = readClientMessage('progress', e.data);
        if (run && session && parsed.ok) runRoute(run, session.clientId).progress(parsed.value);
        return;
      }
      case 'update':
        return this.inbox.reply(e.from, e.req!, this.update(e, run, session));
      case 'disconnect':
        if (session) {
          this.sessions.delete(this.key(e.from, e.sid));
          if (run) runRoute(run, session.clientId).leave();
        }
        return;
    }
  }

  private hello(e: ClientEnvelope, run: FederatedRun | undefined): Welcome {
    const parsed = readClientMessage('hello', e.data);
    if (!parsed.ok) return { ok: false, code: 'bad-message', message: parsed.reason };
    if (!run) return { ok: false, code: 'run-not-found', message: `no run ${e.runId} on its owner any more` };
    // One session per socket: a second hello replaces the first, which would otherwise stay selected and never upload.
    const previous = this.sessions.get(this.key(e.from, e.sid));
    if (previous) this.registry.get(previous.runId)?.leave(previous.clientId);
    const channel: ClientChannel = {
      send: (event, ...args) => {
        if (event !== 'run:state') this.inbox.send(e.from, { t: 'emit', sid: e.sid, ev: event, args });
      },
    };
    const welcome = run.join(channel, parsed.value);
    if (welcome.ok) {
      this.sessions.set(this.key(e.from, e.sid), { from: e.from, sid: e.sid, runId: run.id, clientId: welcome.clientId });
      this.onRemoteClient(run);
    }
    return welcome;
  }

  private update(e: ClientEnvelope, run: FederatedRun | undefined, session: RemoteSession | undefined): UpdateAck {
    if (!run || !session) return { accepted: false, code: 'not-joined', reason: 'send hello first' };
    const parsed = readClientMessage('update', e.data);
    if (!parsed.ok) return { accepted: false, code: 'bad-message', reason: parsed.reason };
    return runRoute(run, session.clientId).update(parsed.value);
  }

  /** Volunteers held by a process that stopped answering have left: their runs stop waiting for them. */
  async sweep(isAlive: (processId: string) => Promise<boolean>): Promise<void> {
    const processes = new Set([...this.sessions.values()].map((s) => s.from));
    for (const processId of processes) {
      if (await isAlive(processId)) continue;
      const gone = [...this.sessions.entries()].filter(([, s]) => s.from === processId);
      this.log.warn({ process: processId, clients: gone.length }, 'server process gone; its volunteers leave their runs');
      for (const [key, s] of gone) {
        this.sessions.delete(key);
        this.registry.get(s.runId)?.leave(s.clientId);
      }
    }
  }

  get size(): number {
    return this.sessions.size;
  }
}
