import { PartitionError } from './long-tail';

export interface DomainShard {
  domain: string;
  /** Indices of the samples of this domain, in dataset order. */
  indices: Int32Array;
}

/**
 * One client per domain (style): `domainOfSample[i]` names the domain of sample i. Shards come in the
 * order in which domains first appear. Pass `heldOut` to leave one domain out of the shards
 * (leave-one-domain-out, FedCLIP §1.7); it must be one of the domains present.
 */
export function perDomainPartition(domainOfSample: string[], opts: { heldOut?: string } = {}): DomainShard[] {
  const groups = new Map<string, number[]>();
  domainOfSample.forEach((d, i) => {
    let g = groups.get(d);
    if (!g) groups.set(d, (g = []));
    g.push(i);
  });
  if (opts.heldOut !== undefined && !groups.has(opts.heldOut)) {
    throw new PartitionError(`held-out domain "${opts.heldOut}" is not present; domains: ${[...groups.keys()].join(', ')}`);
  }
  return [...groups.entries()]
    .filter(([d]) => d !== opts.heldOut)
    .map(([domain, idx]) => ({ domain, indices: Int32Array.from(idx) }));
}
