import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmojiCatalog } from './catalog';
import { deriveImages } from './derived';
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
    await expect(loadEmojiDomains({ styles: ['noto-blurred'], cacheDir })).rejects.toThrow(/unknown emoji style "noto-blurred"/);
  });
});

describe('loadEmojiDomains with derived domains (3 classes, 16 px)', () => {
  const DERIVED = { styles: ['noto', 'noto-sketch', 'noto-silhouette', 'noto-inverted'], classes: ['heart', 'clock', 'drink'], imageSize: 16 };
  let cacheDir: string;
  let first: EmojiDomains;
  const stages: string[] = [];

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'emoji-derived-'));
    first = await loadEmojiDomains({ ...DERIVED, cacheDir, onProgress: (p) => stages.push(p.stage) });
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('names each derived domain after its style, with the same concepts, labels and splits', () => {
    expect(first.domains.map((d) => [d.name, d.style, d.derivation])).toEqual([
      ['noto', 'noto', null],
      ['noto-sketch', 'noto', 'sketch'],
      ['noto-silhouette', 'noto', 'silhouette'],
      ['noto-inverted', 'noto', 'inverted'],
    ]);
    const [noto, ...derived] = first.domains;
    for (const d of derived) {
      expect(d.concepts, d.name).toEqual(noto.concepts);
      expect([...d.set.labels], d.name).toEqual([...noto.set.labels]);
      expect([...d.split], d.name).toEqual([...noto.split]);
      expect(d.set.images.length, d.name).toBe(noto.set.images.length);
      expect(d.attribution, d.name).toContain('changed:');
    }
  });

  it('holds the derivation of the style images: inverted is 255 - v, silhouettes are black on white, sketches are grey', () => {
    const [noto, sketch, silhouette, inverted] = first.domains;
    for (let i = 0; i < noto.set.images.length; i++) expect(inverted.set.images[i]).toBe(255 - noto.set.images[i]);
    expect(silhouette.set.images.every((v) => v === 0 || v === 255)).toBe(true);
    expect(silhouette.set.images.some((v) => v === 0)).toBe(true);
    expect(sketch.set.images).toEqual(deriveImages('sketch', noto.set.images, 16, 16));
    for (let p = 0; p < sketch.set.images.length; p += 3) expect(sketch.set.images[p]).toBe(sketch.set.images[p + 2]);
    expect(Buffer.compare(Buffer.from(sketch.set.images), Buffer.from(noto.set.images))).not.toBe(0);
    expect(stages).toContain('derive noto-sketch');
  });

  it('caches derived domains: a second load reads them, and a derived domain loads without its style', async () => {
    expect(first.cache.rendered).toEqual(DERIVED.styles);
    const laterStages: string[] = [];
    const second = await loadEmojiDomains({ ...DERIVED, cacheDir, onProgress: (p) => laterStages.push(p.stage) });
    expect(second.cache.loaded).toEqual(DERIVED.styles);
    expect(laterStages.some((s) => s.startsWith('render') || s.startsWith('derive'))).toBe(false);
    for (let k = 0; k < 4; k++) expect(second.domains[k].set.images).toEqual(first.domains[k].set.images);

    const alone = await loadEmojiDomains({ ...DERIVED, styles: ['noto-inverted'], cacheDir });
    expect(alone.domains.map((d) => d.name)).toEqual(['noto-inverted']);
    expect(alone.domains[0].set.images).toEqual(first.domains[3].set.images);
  });
});
