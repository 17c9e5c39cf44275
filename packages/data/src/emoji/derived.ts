// Derived EmojiDomains: strongly shifted versions of a style (sketch, silhouette, inverted), made
// from its rendered pictures by fixed pixel operations. They give federated methods domains far
// from anything the built-in model was pretrained on, while keeping concepts, labels and splits.
// Pure functions on RGB bytes (no Node built-ins), so a browser can use them too.
import { EMOJI_STYLES, UnknownStyleError, type EmojiStyle } from './styles';

export const DERIVED_DOMAIN_KINDS = ['sketch', 'silhouette', 'inverted'] as const;
export type DerivedDomainKind = (typeof DERIVED_DOMAIN_KINDS)[number];

export const DERIVED_DOMAIN_LABELS: Record<DerivedDomainKind, string> = {
  sketch: 'sketch (edge map)',
  silhouette: 'silhouette',
  inverted: 'inverted colours',
};

/** A derived domain is named `<style>-<kind>`, e.g. `noto-sketch`, `fluent-high-contrast-inverted`. */
export function derivedDomainName(style: string, kind: DerivedDomainKind): string {
  return `${style}-${kind}`;
}

/** Every EmojiDomains domain name: the five styles, then each style's derived domains. */
export const EMOJI_DOMAIN_NAMES: readonly string[] = [
  ...EMOJI_STYLES.map((s) => s.name),
  ...EMOJI_STYLES.flatMap((s) => DERIVED_DOMAIN_KINDS.map((k) => derivedDomainName(s.name, k))),
];

export interface EmojiDomainSpec {
  /** The domain name as given. */
  name: string;
  /** The art style the pictures are rendered in. */
  style: EmojiStyle;
  /** The pixel operation applied to the style's pictures; null for the style itself. */
  derivation: DerivedDomainKind | null;
}

/** Resolves a domain name (`noto`, `noto-sketch`, ...) to its style and derivation, or throws with the valid choices. */
export function parseEmojiDomainName(name: string): EmojiDomainSpec {
  const plain = EMOJI_STYLES.find((s) => s.name === name);
  if (plain) return { name, style: plain, derivation: null };
  for (const kind of DERIVED_DOMAIN_KINDS) {
    const suffix = `-${kind}`;
    if (!name.endsWith(suffix)) continue;
    const style = EMOJI_STYLES.find((s) => s.name === name.slice(0, -suffix.length));
    if (style) return { name, style, derivation: kind };
  }
  throw new UnknownStyleError(
    `unknown emoji style "${name}"; choose from: ${EMOJI_STYLES.map((s) => s.name).join(', ')}, ` +
      `or a derived domain <style>-${DERIVED_DOMAIN_KINDS.join(', <style>-')} (e.g. noto-sketch)`,
  );
}

/**
 * A channel value at or above this counts as white. Icons are composited on pure white, and
 * anti-aliasing leaves a faint rim of almost-white pixels that belongs to the background.
 */
export const BACKGROUND_WHITE_MIN = 245;

/**
 * Inverted colours: every channel becomes 255 - v. The white background turns black, which the
 * pretrained model never saw behind an emoji.
 */
export function invertImage(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) out[i] = 255 - rgb[i];
  return out;
}

/**
 * Silhouette: the icon in solid black on white. The background is the near-white region connected
 * to the image border (4-neighbour flood fill), so white parts inside the icon (eyes, a clock face)
 * are filled too and only the outline shape is left.
 */
export function silhouetteImage(rgb: Uint8Array, width: number, height: number): Uint8Array {
  checkShape(rgb, width, height);
  const background = borderConnectedWhite(rgb, width, height);
  const out = new Uint8Array(rgb.length);
  for (let p = 0; p < width * height; p++) {
    const v = background[p] ? 255 : 0;
    out[3 * p] = v;
    out[3 * p + 1] = v;
    out[3 * p + 2] = v;
  }
  return out;
}

/**
 * Sketch: a grey edge map, dark lines on white. Per pixel the Sobel gradient magnitude is taken on
 * each colour channel and the largest kept (so edges between colours of equal brightness survive);
 * a full black-to-white step (magnitude 4 * 255) gives black ink. Pixels outside the image repeat
 * the border pixel, so a white border makes no edges.
 */
export function sketchImage(rgb: Uint8Array, width: number, height: number): Uint8Array {
  checkShape(rgb, width, height);
  const out = new Uint8Array(rgb.length);
  const at = (x: number, y: number, c: number) => rgb[3 * (Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))) + c];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let strongest = 0;
      for (let c = 0; c < 3; c++) {
        const gx = at(x + 1, y - 1, c) + 2 * at(x + 1, y, c) + at(x + 1, y + 1, c) - at(x - 1, y - 1, c) - 2 * at(x - 1, y, c) - at(x - 1, y + 1, c);
        const gy = at(x - 1, y + 1, c) + 2 * at(x, y + 1, c) + at(x + 1, y + 1, c) - at(x - 1, y - 1, c) - 2 * at(x, y - 1, c) - at(x + 1, y - 1, c);
        strongest = Math.max(strongest, Math.hypot(gx, gy));
      }
      const ink = Math.min(255, Math.round(strongest / 4));
      const p = 3 * (y * width + x);
      out[p] = 255 - ink;
      out[p + 1] = 255 - ink;
      out[p + 2] = 255 - ink;
    }
  }
  return out;
}

/** Applies a derivation to one RGB image [height, width, 3]. */
export function deriveImage(kind: DerivedDomainKind, rgb: Uint8Array, width: number, height: number): Uint8Array {
  checkShape(rgb, width, height);
  switch (kind) {
    case 'sketch':
      return sketchImage(rgb, width, height);
    case 'silhouette':
      return silhouetteImage(rgb, width, height);
    case 'inverted':
      return invertImage(rgb);
  }
}

/** Applies a derivation to every image of a stack [n, height, width, 3]. */
export function deriveImages(kind: DerivedDomainKind, images: Uint8Array, width: number, height: number): Uint8Array {
  const per = width * height * 3;
  if (images.length % per !== 0) throw new RangeError(`${images.length} bytes is not a whole number of ${width}x${height} RGB images`);
  const out = new Uint8Array(images.length);
  for (let start = 0; start < images.length; start += per) out.set(deriveImage(kind, images.subarray(start, start + per), width, height), start);
  return out;
}

function checkShape(rgb: Uint8Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`bad image size ${width}x${height}`);
  if (rgb.length !== width * height * 3) throw new RangeError(`${rgb.length} bytes for a ${width}x${height} RGB image (expected ${width * height * 3})`);
}

function isWhite(rgb: Uint8Array, p: number): boolean {
  return rgb[3 * p] >= BACKGROUND_WHITE_MIN && rgb[3 * p + 1] >= BACKGROUND_WHITE_MIN && rgb[3 * p + 2] >= BACKGROUND_WHITE_MIN;
}

/** Per pixel: 1 when it is near-white and connected to the border through near-white pixels. */
function borderConnectedWhite(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const mark = new Uint8Array(width * height);
  const stack: number[] = [];
  const push = (p: number) => {
    if (mark[p] === 0 && isWhite(rgb, p)) {
      mark[p] = 1;
      stack.push(p);
    }
  };
  for (let x = 0; x < width; x++) {
    push(x);
    push((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    push(y * width);
    push(y * width + width - 1);
  }
  while (stack.length > 0) {
    const p = stack.pop()!;
    const x = p % width;
    const y = (p - x) / width;
    if (x > 0) push(p - 1);
    if (x < width - 1) push(p + 1);
    if (y > 0) push(p - width);
    if (y < height - 1) push(p + width);
  }
  return mark;
}
