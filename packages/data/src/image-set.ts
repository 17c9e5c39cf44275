/** A labelled image collection. Pixels are RGB bytes, row-major, laid out [n, height, width, 3]. */
export interface ImageSet {
  images: Uint8Array;
  labels: Int32Array;
  width: number;
  height: number;
  classNames: string[];
}

/** Progress of a long step: `done` out of `total` units of `stage`. */
export type ProgressFn = (p: { stage: string; done: number; total: number }) => void;

export class ImageSetError extends Error {
  override name = 'ImageSetError';
}

/** Number of images in a set, after checking that the pixel buffer matches the labels. */
export function imageCount(set: ImageSet): number {
  const per = set.width * set.height * 3;
  if (set.images.length !== set.labels.length * per) {
    throw new ImageSetError(
      `image buffer holds ${set.images.length} bytes, expected ${set.labels.length} images x ${set.height}x${set.width}x3 = ${set.labels.length * per}`,
    );
  }
  return set.labels.length;
}

/** A new ImageSet with the images at `indices`, in that order. */
export function subsetImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const n = imageCount(set);
  const per = set.width * set.height * 3;
  const images = new Uint8Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new ImageSetError(`subsetImages: index ${i} is outside 0..${n - 1}`);
    images.set(set.images.subarray(i * per, (i + 1) * per), k * per);
    labels[k] = set.labels[i];
  }
  return { images, labels, width: set.width, height: set.height, classNames: set.classNames };
}
