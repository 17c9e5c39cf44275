import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmojiCatalog } from './catalog';
import { loadEmojiDomains, type EmojiDomains } from './load';
import { splitConcepts, SPLIT_PRETRAIN } from './split';

const OPTIONS = { styles: ['noto', 'fluent-high-contrast'], classes: ['heart', 'clock', 'drink'], imageSize: 16 };

describe('loadEmojiDomains (2 styles, 3 classes, 16 px)', () => {
  let cacheDir: string;
  let first: EmojiDomains;
  const stages: string[] = [];

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'emoji-domains-'));
    first = await loadEmojiDomains({ ...OPTIONS, cacheDir, onProgress: (p) => stages.push(p.stage) });
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('labels images with the chosen classes, in table order', () => {
    expect(first.classNames).toEqual(['drink', 'clock', 'heart']);
    expect(first.domains.map((d) => d.name)).toEqual(['noto', 'fluent-high-contrast']);
    const d = first.domains[0];
    expect(d.set.images.length).toBe(d.concepts.length * 16 * 16 * 3);
    const byName = new Map(first.catalog.map((c) => [c.name, c.className]));
    d.concepts.forEach((name, i) => expect(first.classNames[d.set.labels[i]]).toBe(byName.get(name)));
    expect(d.concepts.length).toBe(19 + 29 + 25);
  });

  it('uses the same concepts and splits in every style, and the split of the full catalogue', () => {
    const [a, b] = first.domains;
    expect(b.concepts).toEqual(a.concepts);
    expect([...b.split]).toEqual([...a.split]);
    const full = splitConcepts(buildEmojiCatalog());
    a.concepts.forEach((name, i) => expect(a.split[i]).toBe(full.get(name)));
  });

  it('keeps pretraining concepts out of every benchmark split', () => {
    const pretrain = new Set(first.pretrainConcepts);
    expect(first.benchmarkConcepts.some((c) => pretrain.has(c))).toBe(false);
    for (const d of first.domains) {
      d.concepts.forEach((name, i) => expect(d.split[i] === SPLIT_PRETRAIN).toBe(pretrain.has(name)));
    }
    for (const c of first.classDescriptions) expect(c.pretrainConcepts).toBe(Math.round(0.4 * (c.pretrainConcepts + c.benchmarkConcepts)));
  });

  it('renders real pictures: white corners, coloured middles, different styles', () => {
    const per = 16 * 16 * 3;
    const [noto, contrast] = first.domains;
    let whiteCorners = 0;
    for (let i = 0; i < noto.concepts.length; i++) if (noto.set.images[i * per] === 255) whiteCorners++;
    expect(whiteCorners / noto.concepts.length).toBeGreaterThan(0.9);
    const notoBlank = noto.set.images.every((v) => v === 255);
    expect(notoBlank).toBe(false);
    expect(Buffer.compare(Buffer.from(noto.set.images), Buffer.from(contrast.set.images))).not.toBe(0);
  });

  it('renders with a progress report, then loads the cache without rendering', async () => {
    expect(stages).toContain('render noto');
    expect(first.cache.rendered).toEqual(['noto', 'fluent-high-contrast']);
    const laterStages: string[] = [];
    const second = await loadEmojiDomains({ ...OPTIONS, cacheDir, onProgress: (p) => laterStages.push(p.stage) });
    expect(second.cache.loaded).toEqual(['noto', 'fluent-high-contrast']);
    expect(second.cache.rendered).toEqual([]);
    expect(laterStages.some((s) => s.startsWith('render'))).toBe(false);
    expect(second.domains[1].set.images).toEqual(first.domains[1].set.images);
    expect(second.domains[1].concepts).toEqual(first.domains[1].concepts);
  });

  it('re-renders when an option that changes the pixels changes', async () => {
    const other = await loadEmojiDomains({ ...OPTIONS, styles: ['noto'], imageSize: 12, cacheDir });
    expect(other.cache.rendered).toEqual(['noto']);
    expect(other.domains[0].set.images.length).toBe(other.domains[0].concepts.length * 12 * 12 * 3);
  });

  it('rejects unknown styles and classes with the valid choices', async () => {
    await expect(loadEmojiDomains({ styles: ['sketch'], cacheDir })).rejects.toThrow(/unknown emoji style "sketch"; choose from: noto, twemoji/);
    await expect(loadEmojiDomains({ classes: ['dragon'], cacheDir })).rejects.toThrow(/unknown EmojiDomains class "dragon"/);
    await expect(loadEmojiDomains({ imageSize: 3, cacheDir })).rejects.toThrow(/imageSize/);
  });
});
