import type { ClientChannel } from '../runs/client-channel';

export interface CoalescingChannel extends ClientChannel {
  /** Drops a state still waiting to go out (the client is gone). */
  close(): void;
}

/**
 * A run announces its state to every client on every change, so a round with N clients sends N² state
 * messages (a million at N = 1000). Only the latest state matters to a client: this channel sends a state at
 * once when none went out in the last `intervalMs`, otherwise keeps just the newest and sends it when the
 * interval is over (the interval may be a function, read at each state). Any other message first flushes a waiting state, so a client never sees them out of order.
 * A state that carries a message (paused, re-issued, shutting down, finished) is never merged away: it goes out
 * at once, like any other message.
 */
export function coalescingChannel(target: ClientChannel['send'], intervalMs: number | (() => number) = 250): CoalescingChannel {
  const interval = typeof intervalMs === 'function' ? intervalMs : () => intervalMs;
  // The events differ in payload type only; this channel never looks inside a payload.
  const send = target as (...args: unknown[]) => void;
  let lastSentAt = -Infinity;
  let waiting: unknown[] | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!waiting) return;
    const args = waiting;
    waiting = null;
    lastSentAt = Date.now();
    send(...args);
  };

  return {
    send(...args: unknown[]) {
      if (args[0] !== 'run:state' || (args[1] as { message?: string } | undefined)?.message) {
        flush();
        send(...args);
        return;
      }
      waiting = args;
      const wait = lastSentAt + interval() - Date.now();
      if (wait <= 0) flush();
      else timer ??= setTimeout(flush, wait);
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
      waiting = null;
    },
  };
}
