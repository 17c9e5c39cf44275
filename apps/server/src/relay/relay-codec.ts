import { decode, encode } from '@msgpack/msgpack';
import type { RelayEnvelope } from './relay-messages';

export class RelayDecodeError extends Error {
  override name = 'RelayDecodeError';
}

interface WireBatch {
  v: 1;
  /** Payload fields shared by several emits of this batch, sent once. */
  shared: unknown[];
  /** Envelopes; an emit whose first argument's `weights` was shared carries `w`, its index in `shared`. */
  m: (RelayEnvelope & { w?: number })[];
}

/**
 * Packs the envelopes bound for one process into one binary message (MessagePack: tensors stay binary).
 * A round start is the same global adapter for every selected client; when several of them sit on the same
 * process, the weights travel once per batch instead of once per client (the same object is recognised by
 * identity, which is how the run sends it).
 */
export function encodeRelayBatch(envelopes: readonly RelayEnvelope[]): Uint8Array {
  const shared: unknown[] = [];
  const index = new Map<unknown, number>();
  const m = envelopes.map((e) => {
    const first = e.t === 'emit' ? (e.args[0] as { weights?: unknown } | undefined) : undefined;
    if (e.t !== 'emit' || !first || typeof first !== 'object' || first.weights === undefined) return e;
    let w = index.get(first.weights);
    if (w === undefined) {
      w = shared.push(first.weights) - 1;
      index.set(first.weights, w);
    }
    const { weights: _, ...rest } = first;
    return { ...e, args: [rest, ...e.args.slice(1)], w };
  });
  const batch: WireBatch = { v: 1, shared, m };
  return encode(batch, { ignoreUndefined: true });
}

export function decodeRelayBatch(bytes: Uint8Array): RelayEnvelope[] {
  let batch: WireBatch;
  try {
    batch = decode(bytes) as WireBatch;
  } catch (e) {
    throw new RelayDecodeError(`relay message is not valid MessagePack: ${(e as Error).message}`);
  }
  if (!batch || batch.v !== 1 || !Array.isArray(batch.m) || !Array.isArray(batch.shared)) {
    throw new RelayDecodeError('relay message has an unknown layout (a process of another version?)');
  }
  return batch.m.map(({ w, ...e }) => {
    if (w === undefined || e.t !== 'emit') return e;
    if (!(w in batch.shared)) throw new RelayDecodeError(`emit refers to shared payload ${w}, which the batch does not hold`);
    const [first, ...rest] = e.args as [Record<string, unknown>, ...unknown[]];
    return { ...e, args: [{ ...first, weights: batch.shared[w] }, ...rest] };
  });
}
