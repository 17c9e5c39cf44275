import type { IconifyIcon, IconifySet } from './sources';

export class IconSvgError extends Error {
  override name = 'IconSvgError';
}

/**
 * A standalone SVG for an iconify icon on a square canvas: the icon's box is centred in a square
 * viewBox (its longer side), so its aspect ratio is kept. Non-square viewBoxes made resvg produce NaN
 * pixels, so the squaring is done here rather than left to preserveAspectRatio.
 */
export function iconToSquareSvg(set: IconifySet, iconName: string, size: number): string {
  const icon: IconifyIcon | undefined = set.icons[iconName];
  if (!icon) throw new IconSvgError(`icon "${iconName}" is not in the iconify set "${set.prefix}"`);
  const width = icon.width ?? set.width ?? 16;
  const height = icon.height ?? set.height ?? 16;
  const left = icon.left ?? set.left ?? 0;
  const top = icon.top ?? set.top ?? 0;
  const side = Math.max(width, height);
  const x = left - (side - width) / 2;
  const y = top - (side - height) / 2;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${size}" height="${size}" viewBox="${x} ${y} ${side} ${side}">${icon.body}</svg>`
  );
}
