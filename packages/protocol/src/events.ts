import type {
  ClientHello,
  ClientProgress,
  ClientReady,
  ClientUpdate,
  RoundStart,
  RunState,
  ServerError,
  UpdateAck,
  Welcome,
} from './schemas';

/** Event names, typed once; both socket.io ends are parameterised by these maps. */
export interface ClientToServerEvents {
  hello: (hello: ClientHello, ack: (welcome: Welcome) => void) => void;
  ready: (ready: ClientReady) => void;
  progress: (progress: ClientProgress) => void;
  update: (update: ClientUpdate, ack: (result: UpdateAck) => void) => void;
}

export interface ServerToClientEvents {
  'round:start': (round: RoundStart) => void;
  'run:state': (state: RunState) => void;
  /** Every refusal of an inbound message, with the reason. */
  'server:error': (error: ServerError) => void;
}
