import { RESP_TYPES } from 'redis';
import { decodeRelayBatch, encodeRelayBatch } from './relay-codec';
import type { RelayEnvelope, ReplyEnvelope } from './relay-messages';
import { KEY_PREFIX, type RedisClient, type ScaleLog } from './redis-types';

export const inboxKey = (processId: string) => `${KEY_PREFIX}inbox:${processId}`;

export class RelayTimeoutError extends Error {
  override name = 'RelayTimeoutError';
}

/** Redis is unreachable: nothing can be relayed until it is back. */
export class RelayUnavailableError extends Error {
  override name = 'RelayUnavailableError';
}

/** A stream nobody reads (its process died) is capped and expires; a live one is emptied as it is read. */
const MAX_BACKLOG = 2000;
const IDLE_EXPIRY_S = 3600;

type StreamReply = { name: Buffer; messages: { id: Buffer; message: Record<string, Buffer> }[] }[] | null;

/**
 * Each server process reads one Redis stream, its inbox; the others write to it. Messages to the same process
 * are batched per event-loop turn (one XADD each), entries are deleted once handled, and a request can wait for
 * its reply. Streams, not PUB/SUB: a burst of uploads waits in Redis for a slow reader instead of overflowing
 * its output buffer (Redis cuts PUB/SUB subscribers that fall 32 MB behind).
 */
export class RelayInbox {
  private readonly outgoing = new Map<string, RelayEnvelope[]>();
  private flushScheduled = false;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextRequest = 1;
  private closed = false;
  private reader: RedisClient | null = null;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: RedisClient,
    readonly processId: string,
    private readonly onMessage: (e: Exclude<RelayEnvelope, ReplyEnvelope>) => void,
    private readonly log: ScaleLog,
  ) {}

  async start(): Promise<void> {
    this.reader = this.client.duplicate();
    this.reader.on('error', (e: Error) => this.log.warn({ error: e.message }, 'relay inbox connection error'));
    await this.reader.connect();
    this.loop = this.consume(this.reader);
  }

  private async consume(reader: RedisClient): Promise<void> {
    const key = inboxKey(this.processId);
    const binary = reader.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    let last = '0';
    while (!this.closed) {
      let reply: StreamReply;
      try {
        reply = await binary.xRead({ key, id: last }, { BLOCK: 1000, COUNT: 64 });
      } catch (e) {
        if (this.closed) return;
        this.log.warn({ error: (e as Error).message }, 'reading the relay inbox failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!reply?.length) continue;
      const ids: string[] = [];
      for (const entry of reply[0].messages) {
        last = entry.id.toString();
        ids.push(last);
        try {
          for (const envelope of decodeRelayBatch(entry.message.m)) this.dispatch(envelope);
        } catch (e) {
          this.log.warn({ error: (e as Error).message, entry: last }, 'relay message dropped');
        }
      }
      await this.client.xDel(key, ids).catch(() => undefined);
    }
  }

  private dispatch(envelope: RelayEnvelope): void {
    if (envelope.t !== 'reply') return this.onMessage(envelope);
    const waiting = this.pending.get(envelope.req);
    if (!waiting) return; // timed out already
    this.pending.delete(envelope.req);
    clearTimeout(waiting.timer);
    waiting.resolve(envelope.data);
  }

  /** Queues a message for another process; everything queued in this turn goes out as one stream entry. */
  send(target: string, envelope: RelayEnvelope): void {
    let queue = this.outgoing.get(target);
    if (!queue) this.outgoing.set(target, (queue = []));
    queue.push(envelope);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Sends a message that carries a request number and resolves with the target's reply. */
  request<T>(target: string, make: (req: number) => RelayEnvelope, timeoutMs = 30_000): Promise<T> {
    const req = this.nextRequest++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(req);
        reject(new RelayTimeoutError(`server process ${target} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(req, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.send(target, make(req));
    });
  }

  reply(target: string, req: number, data: unknown): void {
    this.send(target, { t: 'reply', req, data });
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batches = [...this.outgoing];
    this.outgoing.clear();
    await Promise.all(
      batches.map(async ([target, envelopes]) => {
        const key = inboxKey(target);
        try {
          await this.client
            .multi()
            .xAdd(key, '*', { m: Buffer.from(encodeRelayBatch(envelopes)) }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: MAX_BACKLOG } })
            .expire(key, IDLE_EXPIRY_S)
            .exec();
        } catch (e) {
          this.log.warn({ target, messages: envelopes.length, error: (e as Error).message }, 'relay write failed; messages lost');
        }
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new RelayTimeoutError('server process shutting down'));
    }
    this.pending.clear();
    await this.flush();
    this.reader?.destroy();
    await this.loop.catch(() => undefined);
    await this.client.del(inboxKey(this.processId)).catch(() => undefined);
  }
}
