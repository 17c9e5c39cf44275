import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** Where run.ts appends a protocol's results and report.ts reads them. */
export const resultsFileFor = (protocol: 'A' | 'B') => join(REPO_ROOT, 'tools/reproduce/results', `protocol-${protocol.toLowerCase()}.jsonl`);

/** Wall time and machine load of the last invocation of run.ts for a protocol. */
export const timingFileFor = (protocol: 'A' | 'B') => resultsFileFor(protocol).replace(/\.jsonl$/, '.timing.json');
