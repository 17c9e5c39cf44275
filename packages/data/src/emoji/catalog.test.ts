import { describe, expect, it } from 'vitest';
import { buildEmojiCatalog, conceptFamily, KNOWN_RENDER_FAILURES } from './catalog';
import { EMOJI_CLASSES } from './classes';
import { EMOJI_STYLES } from './styles';
import { codepointKey } from './sources';

describe('codepointKey', () => {
  it('joins emojibase and iconify spellings of the same sequence', () => {
    expect(codepointKey('0023-FE0F-20E3')).toBe('23-20e3');
    expect(codepointKey('1F636-200D-1F32B-FE0F')).toBe(codepointKey('1f636-200d-1f32b'));
  });
});

describe('conceptFamily', () => {
  it('puts gender, hair and direction variants in one family', () => {
    expect(conceptFamily('man running: facing right')).toBe(conceptFamily('person running'));
    expect(conceptFamily('woman health worker')).toBe('health worker');
    expect(conceptFamily('man: red hair')).toBe('person');
    expect(conceptFamily('dog face')).toBe('dog face');
    expect(conceptFamily('man’s shoe')).toBe('man’s shoe');
  });
});

describe('buildEmojiCatalog', () => {
  const catalog = buildEmojiCatalog();

  it('holds the documented class table (docs/DATA.md)', () => {
    const counts = Object.fromEntries(EMOJI_CLASSES.map((c) => [c.name, catalog.filter((x) => x.className === c.name).length]));
    expect(counts).toEqual({
      face: 107, hand: 42, person: 83, animal: 122, plant: 24, food: 103, drink: 19, building: 27, vehicle: 49,
      clock: 29, heart: 25, garment: 34, device: 38, tool: 42, document: 36, button: 47, sign: 26, shape: 32,
    });
    expect(catalog.length).toBe(885);
  });

  it('has every concept in every style, once, and one concept per family', () => {
    expect(new Set(catalog.map((c) => c.name)).size).toBe(catalog.length);
    for (const c of catalog) expect(Object.keys(c.icons).sort()).toEqual(EMOJI_STYLES.map((s) => s.name).sort());
    const families = catalog.map((c) => `${c.classIndex}:${conceptFamily(c.name)}`);
    expect(new Set(families).size).toBe(families.length);
    // The neutral member stands for its family.
    expect(catalog.some((c) => c.name === 'person running')).toBe(true);
    expect(catalog.some((c) => c.name === 'man running')).toBe(false);
  });

  it('leaves out icons known to crash the renderer and ambiguous concepts', () => {
    const notoIcons = new Set(catalog.map((c) => c.icons.noto));
    for (const icon of KNOWN_RENDER_FAILURES.noto) expect(notoIcons.has(icon)).toBe(false);
    const names = new Set(catalog.map((c) => c.name));
    for (const ambiguous of ['skull', 'paw prints', 'grinning cat', 'ghost', 'rainbow flag']) expect(names.has(ambiguous)).toBe(false);
    expect(catalog.find((c) => c.name === 'dog face')?.className).toBe('animal');
    expect(catalog.find((c) => c.name === 'red apple')?.className).toBe('food');
  });
});
