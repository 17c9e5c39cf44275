import { describe, expect, it } from 'vitest';
import { encodeTensors } from '@clipfed/protocol';
import { decodeRelayBatch, encodeRelayBatch, RelayDecodeError } from './relay-codec';
import type { EmitEnvelope, RelayEnvelope } from './relay-messages';

const weights = encodeTensors([{ name: 'w1', shape: [64, 64], data: new Float32Array(64 * 64).map((_, i) => i / 7) }], 'float16');
const roundStart = (sid: string): EmitEnvelope => ({
  t: 'emit',
  sid,
  ev: 'round:start',
  args: [{ runId: 'r', round: 1, totalRounds: 3, deadlineAt: 5, training: { localEpochs: 1 }, weights }],
});

describe('relay batches', () => {
  it('round-trips every envelope kind with binary tensors intact', () => {
    const envelopes: RelayEnvelope[] = [
      { t: 'client', from: 'p1', sid: 's1', runId: 'r', ev: 'update', req: 7, data: { runId: 'r', round: 1, weights } },
      { t: 'reply', req: 7, data: { accepted: true } },
      { t: 'http', from: 'p1', req: 8, method: 'GET', url: '/api/runs/r', headers: { accept: 'application/json' }, ip: '10.0.0.1' },
      roundStart('s2'),
    ];
    const back = decodeRelayBatch(encodeRelayBatch(envelopes));
    expect(back).toHaveLength(4);
    const update = back[0] as { data: { weights: { bytes: Uint8Array }[] } };
    expect(update.data.weights[0].bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(update.data.weights[0].bytes).equals(Buffer.from(weights[0].bytes))).toBe(true);
    expect(back[1]).toEqual({ t: 'reply', req: 7, data: { accepted: true } });
    expect(back[2]).toMatchObject({ t: 'http', url: '/api/runs/r', ip: '10.0.0.1' });
    expect((back[3] as EmitEnvelope).args[0]).toMatchObject({ round: 1, weights: [{ name: 'w1', dtype: 'float16' }] });
  });

  it('sends the global adapter once for all round starts of a batch', () => {
    const one = encodeRelayBatch([roundStart('s1')]).byteLength;
    const many = encodeRelayBatch(Array.from({ length: 20 }, (_, i) => roundStart(`s${i}`)));
    expect(weights[0].bytes.byteLength).toBeGreaterThan(8000);
    expect(many.byteLength).toBeLessThan(one + 20 * 200);
    const back = decodeRelayBatch(many) as EmitEnvelope[];
    expect(back.map((e) => e.sid)).toEqual(Array.from({ length: 20 }, (_, i) => `s${i}`));
    for (const e of back) expect((e.args[0] as { weights: unknown }).weights).toBe((back[0].args[0] as { weights: unknown }).weights);
  });

  it('refuses bytes that are not a relay batch', () => {
    expect(() => decodeRelayBatch(Uint8Array.of(0xc1))).toThrow(RelayDecodeError);
    expect(() => decodeRelayBatch(encodeRelayBatch([]).subarray(0, 2))).toThrow(RelayDecodeError);
  });
});
