import type { ImageShard } from '@clipfed/protocol';

export class OwnImagesError extends Error {
  override name = 'OwnImagesError';
}

const IMAGE_FILE = /\.(png|jpe?g|webp|gif|bmp)$/i;

const normalise = (s: string) => s.toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();

/** The class of a picked file: the folder it sits in ("my-pictures/dog/1.jpg" → "dog"). */
export function classFolderOf(file: { name: string; webkitRelativePath?: string }): string | null {
  const parts = (file.webkitRelativePath || file.name).split('/');
  return parts.length >= 2 ? parts[parts.length - 2] : null;
}

/** Maps folder names onto the run's classes; every folder must name one, so no image is silently mislabelled. */
export function labelFiles<F extends { name: string; webkitRelativePath?: string }>(files: readonly F[], classNames: readonly string[]): { file: F; label: number }[] {
  const index = new Map(classNames.map((c, i) => [normalise(c), i]));
  const unknown = new Set<string>();
  const labelled: { file: F; label: number }[] = [];
  for (const file of files) {
    if (!IMAGE_FILE.test(file.name)) continue;
    const folder = classFolderOf(file);
    const label = folder === null ? undefined : index.get(normalise(folder));
    if (label === undefined) unknown.add(folder ?? `(no folder) ${file.name}`);
    else labelled.push({ file, label });
  }
  if (unknown.size) {
    throw new OwnImagesError(`these folders are not classes of this run: ${[...unknown].join(', ')}. Use one folder per class, named: ${classNames.join(', ')}`);
  }
  if (labelled.length < 2) throw new OwnImagesError('pick a folder with at least two images (one sub-folder per class)');
  return labelled;
}

/**
 * At most `max` of the labelled images (the run's limit per volunteer): in class order, then path order, evenly
 * spaced, so each class keeps its share and a pick gives the same images whatever order the browser lists them in.
 */
export function capImages<F extends { name: string; webkitRelativePath?: string }>(labelled: readonly { file: F; label: number }[], max: number | undefined): { file: F; label: number }[] {
  if (max === undefined || labelled.length <= max) return [...labelled];
  const path = (f: F) => f.webkitRelativePath || f.name;
  const sorted = [...labelled].sort((a, b) => a.label - b.label || (path(a.file) < path(b.file) ? -1 : path(a.file) > path(b.file) ? 1 : 0));
  return Array.from({ length: max }, (_, i) => sorted[Math.floor((i * sorted.length) / max)]);
}

/**
 * Decodes and resizes the picked images, in this tab, into a shard like the server's (RGB, one size), at most
 * `maxImages` of them. Files that cannot be decoded are reported and left out; nothing is uploaded anywhere.
 * `picked`: the labelled images before the limit.
 */
export async function shardFromFiles(
  files: readonly File[],
  classNames: readonly string[],
  opts: { maxImages?: number; size?: number } = {},
): Promise<{ shard: ImageShard; skipped: string[]; picked: number }> {
  const size = opts.size ?? 224;
  const all = labelFiles(files, classNames);
  const labelled = capImages(all, opts.maxImages);
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const skipped: string[] = [];
  for (const { file, label } of labelled) {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      skipped.push(file.name);
      continue;
    }
    // Cover-crop to a square, as CLIP's own preprocessing would (shortest side, centre).
    const side = Math.min(bitmap.width, bitmap.height);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, size, size);
    bitmap.close();
    const rgba = ctx.getImageData(0, 0, size, size).data;
    const rgb = new Uint8Array(size * size * 3);
    for (let p = 0, q = 0; q < rgba.length; p += 3, q += 4) {
      rgb[p] = rgba[q];
      rgb[p + 1] = rgba[q + 1];
      rgb[p + 2] = rgba[q + 2];
    }
    images.push(rgb);
    labels.push(label);
  }
  if (labels.length < 2) throw new OwnImagesError(`only ${labels.length} of the picked images could be read`);
  const pixels = new Uint8Array(images.length * size * size * 3);
  images.forEach((img, i) => pixels.set(img, i * img.length));
  return {
    shard: { label: `your images (${labels.length})`, classNames: [...classNames], width: size, height: size, labels: Int32Array.from(labels), images: pixels },
    skipped,
    picked: all.length,
  };
}
