import { createRequire } from 'node:module';
import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';

const require = createRequire(import.meta.url);

export class EmojiSourceError extends Error {
  override name = 'EmojiSourceError';
}

/** Absolute path of a file inside an installed npm package. */
export function packageFile(packageName: string, file: string): string {
  try {
    return require.resolve(`${packageName}/${file}`);
  } catch {
    throw new EmojiSourceError(`cannot find ${file} of the npm package ${packageName}; run \`npm install\` in the repository root`);
  }
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function packageVersion(packageName: string): string {
  return readJson<{ version: string }>(packageFile(packageName, 'package.json')).version;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** An emoji record of emojibase-data (en). */
export interface EmojibaseEmoji {
  label: string;
  hexcode: string;
  emoji: string;
  group?: number;
  subgroup?: number;
  tags?: string[];
  order?: number;
}

export interface EmojibaseData {
  emojis: EmojibaseEmoji[];
  subgroupNames: Record<string, string>;
  groupNames: Record<string, string>;
  version: string;
}

export function loadEmojibase(): EmojibaseData {
  const emojis = readJson<EmojibaseEmoji[]>(packageFile('emojibase-data', 'en/data.json'));
  const meta = readJson<{ groups: Record<string, string>; subgroups: Record<string, string> }>(packageFile('emojibase-data', 'meta/groups.json'));
  return { emojis, subgroupNames: meta.subgroups, groupNames: meta.groups, version: packageVersion('emojibase-data') };
}

/** Iconify `chars.json`: code point sequence (hex, dash-separated) -> icon name. */
export function loadIconifyChars(packageName: string): Record<string, string> {
  return readJson<Record<string, string>>(packageFile(packageName, 'chars.json'));
}

export interface IconifyIcon {
  body: string;
  width?: number;
  height?: number;
  left?: number;
  top?: number;
}

export interface IconifySet {
  prefix: string;
  icons: Record<string, IconifyIcon>;
  width?: number;
  height?: number;
  left?: number;
  top?: number;
}

export function loadIconifySet(packageName: string): IconifySet {
  return readJson<IconifySet>(packageFile(packageName, 'icons.json'));
}

const hashMemo = new Map<string, string>();

/** Content hash of an iconify set's icons.json (what the rendered pixels depend on); memoised per file version. */
export function iconifySetHash(packageName: string): string {
  const path = packageFile(packageName, 'icons.json');
  const { size, mtimeMs } = statSync(path);
  const memoKey = `${path}:${size}:${mtimeMs}`;
  let hash = hashMemo.get(memoKey);
  if (hash === undefined) hashMemo.set(memoKey, (hash = sha256(readFileSync(path))));
  return hash;
}

/**
 * A canonical key for a code point sequence: lower-case hex without leading zeros, variation
 * selector 16 (FE0F) dropped. emojibase writes "0023-FE0F-20E3", iconify "23-20e3".
 */
export function codepointKey(hexcode: string): string {
  return hexcode
    .split(/[-_ ]/)
    .filter((h) => h.length > 0)
    .map((h) => parseInt(h, 16))
    .filter((cp) => cp !== 0xfe0f)
    .map((cp) => cp.toString(16))
    .join('-');
}
