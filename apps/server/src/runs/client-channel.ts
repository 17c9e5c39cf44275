import type { ServerToClientEvents } from '@clipfed/protocol';

/** How a run talks to one client; the socket gateway implements it, so the run knows nothing of socket.io. */
export interface ClientChannel {
  send<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
}
