import {
  clientHelloSchema,
  clientProgressSchema,
  clientReadySchema,
  clientUpdateSchema,
  parseMessage,
  type Parsed,
  type UpdateAck,
} from '@clipfed/protocol';
import type { FederatedRun } from '../runs/federated-run';
import type { RemoteRuns } from '../relay/cluster';

/**
 * Every message a volunteer sends, with the schema (packages/protocol) it is validated against: on a socket of
 * this process (socket/gateway.ts) and again when another process relays it to the run's owner
 * (relay/owner-sessions.ts; the relay is only as trusted as Redis).
 */
export const CLIENT_MESSAGE_SCHEMAS = {
  hello: clientHelloSchema,
  ready: clientReadySchema,
  progress: clientProgressSchema,
  update: clientUpdateSchema,
} as const;

export type ClientMessageName = keyof typeof CLIENT_MESSAGE_SCHEMAS;
/** A message as its schema reads it. */
export type ClientMessage<E extends ClientMessageName> = ReturnType<(typeof CLIENT_MESSAGE_SCHEMAS)[E]['parse']>;

/** Validates one client message against its schema; the reason in one sentence when it does not fit. */
export function readClientMessage<E extends ClientMessageName>(ev: E, raw: unknown): Parsed<ClientMessage<E>> {
  return parseMessage(CLIENT_MESSAGE_SCHEMAS[ev], raw) as Parsed<ClientMessage<E>>;
}

/**
 * Where the messages of a client that has joined go, after hello: its run in this process (`runRoute`), or the
 * relay to the process that owns the run (`relayRoute`). The gateway holds one per socket, so no handler asks
 * which of the two it is.
 */
export interface ClientRoute {
  ready(ready: ClientMessage<'ready'>): void;
  progress(progress: ClientMessage<'progress'>): void;
  update(update: ClientMessage<'update'>): UpdateAck | Promise<UpdateAck>;
  /** The socket closed (or joined elsewhere): the run stops waiting for this client. */
  leave(): void;
}

/** A route to a run in this process, which answers an update at once. */
export interface RunRoute extends ClientRoute {
  update(update: ClientMessage<'update'>): UpdateAck;
}

/** What a run does with each message of one joined client: the one dispatch table, for local sockets and the relay. */
export function runRoute(run: FederatedRun, clientId: string): RunRoute {
  return {
    ready: (ready) => run.markReady(clientId, ready),
    progress: (progress) => run.noteProgress(clientId, progress.stage),
    update: (update) => run.receiveUpdate(clientId, update),
    leave: () => run.leave(clientId),
  };
}

/** A joined client's messages, already validated here, relayed to the process that owns its run. */
export function relayRoute(remote: RemoteRuns, socketId: string, runId: string): ClientRoute {
  return {
    ready: (ready) => remote.send(socketId, runId, 'ready', ready),
    progress: (progress) => remote.send(socketId, runId, 'progress', progress),
    update: (update) => remote.update(socketId, runId, update),
    leave: () => remote.send(socketId, runId, 'disconnect'),
  };
}
