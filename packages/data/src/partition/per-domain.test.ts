import { describe, expect, it } from 'vitest';
import { perDomainPartition } from './per-domain';

describe('perDomainPartition', () => {
  const domains = ['noto', 'twemoji', 'noto', 'openmoji', 'twemoji', 'noto'];

  it('makes one shard per domain, in order of first appearance', () => {
    expect(perDomainPartition(domains).map((s) => [s.domain, [...s.indices]])).toEqual([
      ['noto', [0, 2, 5]],
      ['twemoji', [1, 4]],
      ['openmoji', [3]],
    ]);
  });

  it('leaves the held-out domain out, and names the domains when it is unknown', () => {
    expect(perDomainPartition(domains, { heldOut: 'twemoji' }).map((s) => s.domain)).toEqual(['noto', 'openmoji']);
    expect(() => perDomainPartition(domains, { heldOut: 'sketch' })).toThrow(/noto, twemoji, openmoji/);
  });
});
