import { describe, expect, it } from 'vitest';
import { decodeShard, encodeShard, ShardDecodeError } from './shard-codec';

const shard = {
  label: 'noto',
  classNames: ['cat', 'dog'],
  width: 2,
  height: 2,
  labels: Int32Array.from([0, 1]),
  images: Uint8Array.from({ length: 24 }, (_, i) => i),
};

describe('shard codec', () => {
  it('round-trips', () => {
    const d = decodeShard(encodeShard(shard));
    expect(d.label).toBe('noto');
    expect(Array.from(d.labels)).toEqual([0, 1]);
    expect(Array.from(d.images)).toEqual(Array.from(shard.images));
  });
  it('refuses truncated bodies and bad labels', () => {
    const bytes = encodeShard(shard);
    expect(() => decodeShard(bytes.subarray(0, bytes.length - 1))).toThrow(ShardDecodeError);
    expect(() => decodeShard(new Uint8Array(3))).toThrow(/magic/);
    expect(() => decodeShard(encodeShard({ ...shard, labels: Int32Array.from([0, 2]) }))).toThrow(/label/);
  });
});
