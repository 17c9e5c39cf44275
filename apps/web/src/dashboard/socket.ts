import { io, type Socket } from 'socket.io-client';
import type { DashboardClientEvents, DashboardServerEvents } from '@clipfed/protocol';

export type DashboardSocket = Socket<DashboardServerEvents, DashboardClientEvents>;

/** The read-only live feed; websocket only, like the volunteer page (the server accepts no polling). */
export function connectDashboard(): DashboardSocket {
  return io('/dashboard', { transports: ['websocket'], reconnectionDelayMax: 5000 });
}
