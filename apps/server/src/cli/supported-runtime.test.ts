import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { describeProblems, npmVersionFromUserAgent, parseRange, readEngines, runtimeProblems, satisfies } from './supported-runtime';

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

describe('supported runtime', () => {
  it('reads the project engines in a form it understands', () => {
    const engines = readEngines(REPO_ROOT);
    expect(parseRange(engines.node).length).toBeGreaterThan(0);
    expect(engines.npm && parseRange(engines.npm).length).toBeGreaterThan(0);
  });

  it('accepts the supported lines and refuses the rest', () => {
    const range = '^20.19.0 || ^22.12.0 || >=24.0.0';
    for (const ok of ['20.19.0', 'v20.20.2', '22.12.0', '22.21.1', '24.0.0', '25.2.1']) expect(satisfies(ok, range), ok).toBe(true);
    for (const bad of ['18.20.8', '20.18.3', '21.7.3', '22.11.0', '23.11.1']) expect(satisfies(bad, range), bad).toBe(false);
  });

  it('refuses range forms it does not understand instead of accepting everything', () => {
    expect(() => parseRange('~20.1.0')).toThrow(/unsupported range/);
    expect(() => parseRange('20.x')).toThrow(/unsupported range/);
  });

  it('finds npm in the user agent npm gives to scripts', () => {
    expect(npmVersionFromUserAgent('npm/11.19.1 node/v20.20.2 linux x64 workspaces/false')).toBe('11.19.1');
    expect(npmVersionFromUserAgent('pnpm/9.0.0 npm/? node/v22.1.0')).toBeUndefined();
    expect(npmVersionFromUserAgent(undefined)).toBeUndefined();
  });

  it('names the tool, the version found and the versions needed', () => {
    const problems = runtimeProblems({ node: '>=22.12.0', npm: '>=11.16.0' }, { node: '20.20.2', npm: '10.9.2' });
    expect(problems.map((p) => p.tool)).toEqual(['node', 'npm']);
    const text = describeProblems(problems);
    expect(text).toContain('clipfed needs node >=22.12.0, but this is node 20.20.2');
    expect(text).toContain('clipfed needs npm >=11.16.0, but this is npm 10.9.2');
    expect(runtimeProblems({ node: '>=20.19.0' }, { node: '20.20.2' })).toEqual([]);
  });
});
