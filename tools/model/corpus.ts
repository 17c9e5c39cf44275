import { SPLIT_PRETRAIN, SeededRandom, type EmojiDomains, type ImageSet } from '@clipfed/data';
import { classKey, conceptKey, emojiClassCaptions, emojiConceptCaptions, fashionCaptions, type Caption } from './captions';

/**
 * One source of (image, caption) pairs for contrastive pretraining. Each image carries the label
 * keys it answers to; `caption` draws one caption for it.
 */
export interface PretrainSource {
  readonly name: string;
  /** Row i of the feature matrix belongs to image i. */
  readonly count: number;
  readonly keys: readonly (readonly string[])[];
  caption(i: number, rng: SeededRandom): Caption;
  /** Every caption `caption` can return, for building the vocabulary. */
  allCaptions(): Caption[];
  /** Share of training batches drawn from this source. */
  readonly weight: number;
}

/** Indices of an emoji style's images that are pretraining concepts (never in a benchmark split). */
export function emojiPretrainIndices(split: Uint8Array): number[] {
  const out: number[] = [];
  split.forEach((s, i) => {
    if (s === SPLIT_PRETRAIN) out.push(i);
  });
  return out;
}

export interface EmojiPretrainImage {
  concept: string;
  className: string;
}

/**
 * EmojiDomains pretraining concepts in every style: half of the captions name the class (the
 * zero-shot prompts), half the concept or one of its emoji keywords.
 */
export function emojiSource(emoji: EmojiDomains, images: EmojiPretrainImage[], weight: number): PretrainSource {
  const phrase = new Map(emoji.classDescriptions.map((c) => [c.name, c.phrase]));
  const tags = new Map(emoji.catalog.map((c) => [c.name, c.tags]));
  const classCaps = new Map(emoji.classNames.map((c) => [c, emojiClassCaptions(c, phrase.get(c)!)]));
  const conceptCaps = new Map<string, Caption[]>();
  for (const { concept, className } of images) {
    if (conceptCaps.has(concept)) continue;
    const keywordCaps = (tags.get(concept) ?? []).map((t) => ({ text: `an emoji of ${t}`, target: conceptKey('emoji', concept) }));
    conceptCaps.set(concept, [...emojiConceptCaptions(concept, className), ...keywordCaps]);
  }
  return {
    name: 'emoji',
    count: images.length,
    weight,
    keys: images.map((im) => [classKey('emoji', im.className), conceptKey('emoji', im.concept)]),
    caption(i, rng) {
      const im = images[i];
      const pool = rng.next() < 0.5 ? classCaps.get(im.className)! : conceptCaps.get(im.concept)!;
      return pool[rng.int(pool.length)];
    },
    allCaptions: () => [...[...classCaps.values()].flat(), ...[...conceptCaps.values()].flat()],
  };
}

export function fashionSource(set: ImageSet, indices: ArrayLike<number>, weight: number): PretrainSource {
  const caps = set.classNames.map((c) => fashionCaptions(c));
  const labels = Array.from(indices, (i) => set.labels[i]);
  return {
    name: 'fashion',
    count: labels.length,
    weight,
    keys: labels.map((y) => [classKey('fashion', set.classNames[y])]),
    caption(i, rng) {
      const pool = caps[labels[i]];
      return pool[rng.int(pool.length)];
    },
    allCaptions: () => caps.flat(),
  };
}

/** A class-balanced subset of `perClass` images per class, seeded. */
export function balancedSubset(labels: Int32Array, classes: number, perClass: number, seed: number): Int32Array {
  const rng = new SeededRandom(seed);
  const out: number[] = [];
  for (let c = 0; c < classes; c++) {
    const members: number[] = [];
    labels.forEach((y, i) => {
      if (y === c) members.push(i);
    });
    if (members.length < perClass) throw new RangeError(`class ${c} has ${members.length} images, fewer than ${perClass}`);
    const perm = rng.permutation(members.length);
    for (let k = 0; k < perClass; k++) out.push(members[perm[k]]);
  }
  return Int32Array.from(out.sort((a, b) => a - b));
}
