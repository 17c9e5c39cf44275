import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The Node and npm versions this project supports, read from the root package.json's `engines`, so that the
 * start check and npm's own install check can never disagree.
 *
 * Only the two range forms `engines` uses are understood (`^a.b.c` and `>=a.b.c`, joined by `||`); anything else
 * throws, so a later edit of `engines` into another form fails the test instead of silently passing everything.
 */
type Version = readonly [number, number, number];
type Comparator = { kind: 'caret' | 'at-least'; version: Version };

function parseVersion(text: string): Version {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!match) throw new Error(`not a version: "${text}"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function parseRange(range: string): Comparator[] {
  return range.split('||').map((part) => {
    const text = part.trim();
    if (text.startsWith('^')) return { kind: 'caret', version: parseVersion(text.slice(1)) };
    if (text.startsWith('>=')) return { kind: 'at-least', version: parseVersion(text.slice(2)) };
    throw new Error(`unsupported range form "${text}" (use ^a.b.c or >=a.b.c, joined by ||)`);
  });
}

export function satisfies(versionText: string, range: string): boolean {
  const version = parseVersion(versionText);
  return parseRange(range).some(({ kind, version: floor }) =>
    compare(version, floor) >= 0 && (kind === 'at-least' || version[0] === floor[0]),
  );
}

export type RuntimeProblem = { tool: 'node' | 'npm'; found: string; required: string };

/** npm names itself in `npm_config_user_agent` ("npm/11.19.1 node/v22.12.0 …") for every script it runs. */
export function npmVersionFromUserAgent(userAgent: string | undefined): string | undefined {
  return /(?:^|\s)npm\/(\d+\.\d+\.\d+)/.exec(userAgent ?? '')?.[1];
}

export function runtimeProblems(
  engines: { node: string; npm?: string },
  found: { node: string; npm?: string },
): RuntimeProblem[] {
  const problems: RuntimeProblem[] = [];
  if (!satisfies(found.node, engines.node)) problems.push({ tool: 'node', found: found.node, required: engines.node });
  if (engines.npm && found.npm && !satisfies(found.npm, engines.npm)) {
    problems.push({ tool: 'npm', found: found.npm, required: engines.npm });
  }
  return problems;
}

export function readEngines(repoRoot: string): { node: string; npm?: string } {
  const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { engines?: { node?: string; npm?: string } };
  if (!pkg.engines?.node) throw new Error('package.json has no engines.node');
  return { node: pkg.engines.node, npm: pkg.engines.npm };
}

const WHY: Record<RuntimeProblem['tool'], string> = {
  node: 'Install a supported Node.js (an LTS release from nodejs.org, or your system\'s package manager) and run the command again.',
  npm: 'npm older than 11.16 ignores package.json\'s "allowScripts", so onnxruntime-node\'s install script would try to download ' +
    'CUDA libraries the project never uses. Update npm with "npm install -g npm@11", then run "npm ci" again.',
};

export function describeProblems(problems: RuntimeProblem[]): string {
  return problems
    .map((p) => `clipfed needs ${p.tool} ${p.required}, but this is ${p.tool} ${p.found}.\n  ${WHY[p.tool]}`)
    .join('\n');
}

/** Exits with a clear message when this Node (or the npm that started it) is not one the project supports. */
export function exitUnlessSupportedRuntime(repoRoot: string): void {
  const problems = runtimeProblems(readEngines(repoRoot), {
    node: process.versions.node,
    npm: npmVersionFromUserAgent(process.env.npm_config_user_agent),
  });
  if (problems.length === 0) return;
  console.error(describeProblems(problems));
  process.exit(1);
}
