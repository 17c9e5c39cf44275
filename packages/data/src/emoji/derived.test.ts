import { describe, expect, it } from 'vitest';
import {
  BACKGROUND_WHITE_MIN,
  DERIVED_DOMAIN_KINDS,
  deriveImage,
  deriveImages,
  EMOJI_DOMAIN_NAMES,
  invertImage,
  parseEmojiDomainName,
  silhouetteImage,
  sketchImage,
} from './derived';
import { UnknownStyleError } from './styles';

const W = 12;
const H = 10;

/** An RGB image on white with `paint(x, y)` giving the colour of icon pixels (null: background). */
function picture(paint: (x: number, y: number) => [number, number, number] | null, width = W, height = H): Uint8Array {
  const rgb = new Uint8Array(width * height * 3).fill(255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = paint(x, y);
      if (c) rgb.set(c, 3 * (y * width + x));
    }
  }
  return rgb;
}

const pixel = (rgb: Uint8Array, x: number, y: number, width = W) => Array.from(rgb.subarray(3 * (y * width + x), 3 * (y * width + x) + 3));

/** A red ring (rows/cols 2..7) around a white hole (4..5): white inside the icon that is not background. */
const ring = picture((x, y) => {
  const inBox = x >= 2 && x <= 7 && y >= 2 && y <= 7;
  const inHole = x >= 4 && x <= 5 && y >= 4 && y <= 5;
  return inBox && !inHole ? [200, 30, 30] : null;
});

describe('invertImage', () => {
  it('maps every channel to 255 - v, so the white background turns black, and undoes itself', () => {
    const inverted = invertImage(ring);
    expect(inverted.length).toBe(ring.length);
    for (let i = 0; i < ring.length; i++) expect(inverted[i]).toBe(255 - ring[i]);
    expect(pixel(inverted, 0, 0)).toEqual([0, 0, 0]);
    expect(pixel(inverted, 2, 2)).toEqual([55, 225, 225]);
    expect(invertImage(inverted)).toEqual(ring);
  });
});

describe('silhouetteImage', () => {
  it('paints the icon solid black, fills white holes inside it, and keeps the border-connected background white', () => {
    const s = silhouetteImage(ring, W, H);
    expect(s.length).toBe(ring.length);
    expect(s.every((v) => v === 0 || v === 255)).toBe(true);
    expect(pixel(s, 2, 2)).toEqual([0, 0, 0]); // the ring
    expect(pixel(s, 4, 4)).toEqual([0, 0, 0]); // the hole: white in the source, enclosed by the icon
    expect(pixel(s, 0, 0)).toEqual([255, 255, 255]);
    expect(pixel(s, 10, 8)).toEqual([255, 255, 255]);
    let black = 0;
    for (let p = 0; p < W * H; p++) if (s[3 * p] === 0) black++;
    expect(black).toBe(36); // the 6x6 box, hole included
  });

  it('counts near-white anti-aliasing as background but a light colour below the threshold as icon', () => {
    const rim = picture((x, y) => (y === 0 ? [BACKGROUND_WHITE_MIN, 250, 255] : x === 5 && y === 5 ? [BACKGROUND_WHITE_MIN - 1, 255, 255] : null));
    const s = silhouetteImage(rim, W, H);
    expect(pixel(s, 3, 0)).toEqual([255, 255, 255]);
    expect(pixel(s, 5, 5)).toEqual([0, 0, 0]);
  });

  it('gives a blank image for a blank one', () => {
    const blank = picture(() => null);
    expect(silhouetteImage(blank, W, H)).toEqual(blank);
  });
});

describe('sketchImage', () => {
  it('draws dark lines on the icon outline and leaves flat areas white', () => {
    const square = picture((x, y) => (x >= 3 && x <= 8 && y >= 3 && y <= 6 ? [0, 0, 0] : null));
    const s = sketchImage(square, W, H);
    expect(s.length).toBe(square.length);
    for (let p = 0; p < W * H; p++) expect(s[3 * p]).toBe(s[3 * p + 1]); // grey
    expect(pixel(s, 0, 0)).toEqual([255, 255, 255]); // flat background
    expect(pixel(s, 5, 5)[0]).toBe(255); // flat inside of the square (its neighbours are all black)
    expect(pixel(s, 3, 4)[0]).toBe(0); // on the left edge: a full black-white step is black ink
    expect(pixel(s, 2, 4)[0]).toBe(0); // just outside it too (the operator spans three columns)
    expect(pixel(s, 10, 4)[0]).toBe(255); // two pixels away
  });

  it('keeps an edge between two colours of equal brightness, which a grey-level edge map would lose', () => {
    // Red and this green have the same luma (0.299 * 255 = 76.2, 0.587 * 130 = 76.3).
    const halves = picture((x) => (x < W / 2 ? [255, 0, 0] : [0, 130, 0]));
    const s = sketchImage(halves, W, H);
    expect(pixel(s, W / 2, 5)[0]).toBeLessThan(64);
    expect(pixel(s, 1, 5)[0]).toBe(255);
  });

  it('rejects a buffer that is not width x height x 3', () => {
    expect(() => sketchImage(new Uint8Array(10), W, H)).toThrow(RangeError);
    expect(() => silhouetteImage(new Uint8Array(W * H * 3), W + 1, H)).toThrow(RangeError);
  });
});

describe('deriveImage and deriveImages', () => {
  const other = picture((x, y) => ((x + y) % 3 === 0 ? [20, 140, 60] : null));

  it('are deterministic, keep the shape, and change the picture', () => {
    for (const kind of DERIVED_DOMAIN_KINDS) {
      const a = deriveImage(kind, ring, W, H);
      expect(deriveImage(kind, ring, W, H), kind).toEqual(a);
      expect(a.length, kind).toBe(ring.length);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(ring)), kind).not.toBe(0);
    }
  });

  it('apply the derivation to each image of a stack', () => {
    const stack = new Uint8Array([...ring, ...other]);
    for (const kind of DERIVED_DOMAIN_KINDS) {
      const out = deriveImages(kind, stack, W, H);
      expect(out.subarray(0, ring.length), kind).toEqual(deriveImage(kind, ring, W, H));
      expect(out.subarray(ring.length), kind).toEqual(deriveImage(kind, other, W, H));
    }
    expect(() => deriveImages('inverted', stack.subarray(1), W, H)).toThrow(/not a whole number/);
  });
});

describe('parseEmojiDomainName', () => {
  it('resolves styles and derived domains, including styles whose names contain dashes', () => {
    expect(parseEmojiDomainName('noto')).toMatchObject({ name: 'noto', style: { name: 'noto' }, derivation: null });
    expect(parseEmojiDomainName('noto-sketch')).toMatchObject({ style: { name: 'noto' }, derivation: 'sketch' });
    expect(parseEmojiDomainName('fluent-high-contrast-inverted')).toMatchObject({ style: { name: 'fluent-high-contrast' }, derivation: 'inverted' });
    expect(parseEmojiDomainName('fluent-flat-silhouette')).toMatchObject({ style: { name: 'fluent-flat' }, derivation: 'silhouette' });
  });

  it('lists 5 styles and 15 derived domains, all of which parse', () => {
    expect(EMOJI_DOMAIN_NAMES.length).toBe(20);
    expect(new Set(EMOJI_DOMAIN_NAMES).size).toBe(20);
    for (const name of EMOJI_DOMAIN_NAMES) expect(parseEmojiDomainName(name).name).toBe(name);
  });

  it('rejects a derivation without a style, an unknown derivation and an unknown style, naming the choices', () => {
    for (const bad of ['sketch', 'noto-blurred', 'apple-sketch', 'noto-sketch-inverted']) {
      expect(() => parseEmojiDomainName(bad), bad).toThrow(UnknownStyleError);
    }
    expect(() => parseEmojiDomainName('sketch')).toThrow(/choose from: noto, twemoji, .*<style>-sketch/);
  });
});
