import type { ServerToClientEvents } from '@clipfed/protocol';

/** A volunteer's message, received by the process holding its socket and relayed to the run's owner. */
export interface ClientEnvelope {
  t: 'client';
  /** The process holding the socket (where replies and emits go back to). */
  from: string;
  sid: string;
  runId: string;
  ev: 'hello' | 'ready' | 'progress' | 'update' | 'disconnect';
  data?: unknown;
  /** Present when the sender waits for a reply (hello, update). */
  req?: number;
}

/** The owner's answer to a request (a welcome, an update acknowledgement, an HTTP response). */
export interface ReplyEnvelope {
  t: 'reply';
  req: number;
  data: unknown;
}

/** A message from a run to one of its volunteers whose socket is held by the receiving process. */
export interface EmitEnvelope {
  t: 'emit';
  sid: string;
  ev: keyof ServerToClientEvents;
  args: unknown[];
}

/** An HTTP request for a run owned elsewhere (shards, state, metrics, operator actions). */
export interface HttpEnvelope {
  t: 'http';
  from: string;
  req: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  ip: string;
}

export interface HttpReply {
  status: number;
  contentType?: string;
  body: Uint8Array;
}

export type RelayEnvelope = ClientEnvelope | ReplyEnvelope | EmitEnvelope | HttpEnvelope;
