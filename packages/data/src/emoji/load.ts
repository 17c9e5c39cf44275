import { fileURLToPath } from 'node:url';
import type { ImageSet, ProgressFn } from '../image-set';
import { readCachedStyle, writeCachedStyle, EMOJI_CACHE_FORMAT } from './cache';
import { buildEmojiCatalog, type EmojiConcept } from './catalog';
import { EMOJI_CLASSES } from './classes';
import { renderSvgs } from './renderer';
import { iconifySetHash, loadIconifySet, packageVersion, sha256 } from './sources';
import { splitConcepts, SPLIT_PRETRAIN } from './split';
import { DERIVED_DOMAIN_LABELS, deriveImages, parseEmojiDomainName, type DerivedDomainKind, type EmojiDomainSpec } from './derived';
import { EMOJI_STYLES, type EmojiStyle } from './styles';
import { iconToSquareSvg } from './svg';

/** One domain of EmojiDomains: every concept of the chosen classes, drawn in one style (or derived from it). */
export interface EmojiDomain {
  /**
   * Domain id: a style (noto, twemoji, openmoji, fluent-flat, fluent-high-contrast) or a domain derived
   * from one, `<style>-sketch`, `<style>-silhouette` or `<style>-inverted`.
   */
  name: string;
  /** Human name of the art set (and of the derivation). */
  label: string;
  /** The art style the pictures were rendered in (equal to `name` for a plain style). */
  style: string;
  /** The pixel operation that made this domain from `style`'s pictures; null for the style itself. */
  derivation: DerivedDomainKind | null;
  /** SPDX licence of the artwork. */
  license: string;
  attribution: string;
  set: ImageSet;
  /** Concept name of each image. */
  concepts: string[];
  /** Per image: 0 train, 1 val, 2 test (benchmark concepts), 3 pretraining concept (in no benchmark split). */
  split: Uint8Array;
  /** Concepts whose icon could not be rendered in this style (they have no image here). */
  skipped: { concept: string; reason: string }[];
}

export interface EmojiClassDescription {
  name: string;
  /** The class with its article, e.g. "an animal". */
  phrase: string;
  description: string;
  subgroups: string[];
  pretrainConcepts: number;
  benchmarkConcepts: number;
}

export interface EmojiDomains {
  classNames: string[];
  classDescriptions: EmojiClassDescription[];
  imageSize: number;
  domains: EmojiDomain[];
  /** Concepts reserved for pretraining the built-in model; in no benchmark split of any style. */
  pretrainConcepts: string[];
  /** Concepts of the benchmark (train/val/test in every style). */
  benchmarkConcepts: string[];
  /** Metadata of every concept in the chosen classes (class, emoji, code points, keywords). */
  catalog: EmojiConcept[];
  /** Where each domain's images came from: made in this call (rendered or derived), or read from the cache. */
  cache: { dir: string; rendered: string[]; loaded: string[] };
}

export interface LoadEmojiDomainsOptions {
  /** Where rendered images are cached; default <repo>/.cache/emoji-domains or $EMOJI_DOMAINS_CACHE. */
  cacheDir?: string;
  /** Side of the square images in pixels; default 64. */
  imageSize?: number;
  /** Domains to load: style ids and derived domains (`noto-sketch`, ...); default the five styles. */
  styles?: string[];
  /** Restrict to these classes (labels then index this list, in table order); default all. */
  classes?: string[];
  onProgress?: ProgressFn;
}

export const DEFAULT_EMOJI_IMAGE_SIZE = 64;
/** The concept split is fixed: the built-in model's pretraining data depends on it. */
export const EMOJI_SPLIT_SEED = 0;

export class EmojiDomainsError extends Error {
  override name = 'EmojiDomainsError';
}

export function defaultEmojiCacheDir(): string {
  return process.env.EMOJI_DOMAINS_CACHE || fileURLToPath(new URL('../../../../.cache/emoji-domains', import.meta.url));
}

/**
 * EmojiDomains: the same emoji concepts drawn in several art styles (one domain per style), labelled
 * with the classes of EMOJI_CLASSES, split by concept into a pretraining share and a benchmark
 * (train/val/test). Images are rendered once with resvg and cached on disk; later calls read the cache.
 */
export async function loadEmojiDomains(opts: LoadEmojiDomainsOptions = {}): Promise<EmojiDomains> {
  const imageSize = opts.imageSize ?? DEFAULT_EMOJI_IMAGE_SIZE;
  if (!Number.isInteger(imageSize) || imageSize < 8 || imageSize > 512) throw new EmojiDomainsError(`imageSize must be an integer in 8..512, got ${imageSize}`);
  const specs = (opts.styles ?? EMOJI_STYLES.map((s) => s.name)).map(parseEmojiDomainName);
  if (new Set(specs.map((s) => s.name)).size !== specs.length) throw new EmojiDomainsError(`styles must not repeat: ${opts.styles?.join(', ')}`);
  const allClassNames = EMOJI_CLASSES.map((c) => c.name);
  const classNames = opts.classes ?? allClassNames;
  for (const c of classNames) if (!allClassNames.includes(c)) throw new EmojiDomainsError(`unknown EmojiDomains class "${c}"; classes: ${allClassNames.join(', ')}`);
  const classSpecs = EMOJI_CLASSES.filter((c) => classNames.includes(c.name));
  const classIndex = new Map(classSpecs.map((c, i) => [c.name, i]));
  const cacheDir = opts.cacheDir ?? defaultEmojiCacheDir();

  // The split is computed on the whole catalogue, so that it does not depend on the classes or styles asked for.
  const fullCatalog = buildEmojiCatalog();
  const roles = splitConcepts(fullCatalog, { seed: EMOJI_SPLIT_SEED });
  const catalog = fullCatalog.filter((c) => classIndex.has(c.className));
  if (catalog.length === 0) throw new EmojiDomainsError('no concepts in the chosen classes');

  const rendered: string[] = [];
  const loaded: string[] = [];
  const domains: EmojiDomain[] = [];
  // A derived domain and its style, asked for together, share one render.
  const renders = new Map<string, StyleImages>();
  const renderOnce = async (style: EmojiStyle) => {
    let r = renders.get(style.name);
    if (!r) {
      r = await styleImages(style, catalog, fullCatalog.length, imageSize, cacheDir, opts.onProgress);
      renders.set(style.name, r);
    }
    return r;
  };
  for (const spec of specs) {
    const style = spec.style;
    const source = await renderOnce(style);
    const { images, concepts, failed, fromCache } = spec.derivation === null ? source : derivedImages(spec, spec.derivation, source, imageSize, cacheDir, opts.onProgress);
    (fromCache ? loaded : rendered).push(spec.name);
    const byName = new Map(catalog.map((c) => [c.name, c]));
    const labels = new Int32Array(concepts.length);
    const split = new Uint8Array(concepts.length);
    concepts.forEach((name, i) => {
      labels[i] = classIndex.get(byName.get(name)!.className)!;
      split[i] = roles.get(name)!;
    });
    domains.push({
      name: spec.name,
      label: spec.derivation === null ? style.label : `${style.label}, ${DERIVED_DOMAIN_LABELS[spec.derivation]}`,
      style: style.name,
      derivation: spec.derivation,
      license: style.license,
      // CC BY and CC BY-SA ask that changes to the artwork be indicated.
      attribution: spec.derivation === null ? style.attribution : `${style.attribution}; changed: ${DERIVED_DOMAIN_LABELS[spec.derivation]} computed from the rendered icons`,
      set: { images, labels, width: imageSize, height: imageSize, classNames: classSpecs.map((c) => c.name) },
      concepts,
      split,
      skipped: failed,
    });
  }

  const isPretrain = (c: EmojiConcept) => roles.get(c.name) === SPLIT_PRETRAIN;
  return {
    classNames: classSpecs.map((c) => c.name),
    classDescriptions: classSpecs.map((spec) => ({
      name: spec.name,
      phrase: spec.phrase,
      description: spec.description,
      subgroups: spec.subgroups,
      pretrainConcepts: catalog.filter((c) => c.className === spec.name && isPretrain(c)).length,
      benchmarkConcepts: catalog.filter((c) => c.className === spec.name && !isPretrain(c)).length,
    })),
    imageSize,
    domains,
    pretrainConcepts: catalog.filter(isPretrain).map((c) => c.name),
    benchmarkConcepts: catalog.filter((c) => !isPretrain(c)).map((c) => c.name),
    catalog,
    cache: { dir: cacheDir, rendered, loaded },
  };
}

interface StyleImages {
  images: Uint8Array;
  concepts: string[];
  failed: { concept: string; reason: string }[];
  fromCache: boolean;
  /** Cache key of these pixels; a derived domain's key is built on it. */
  key: string;
  /** Cache entry name suffix: size and class selection. */
  entrySuffix: string;
}

/** Bump when a derivation's pixel operation changes, so that cached derived domains are made again. */
export const DERIVED_DOMAIN_FORMAT = 1;

/** A derived domain's images, from the cache when it is current, else computed from its style's (and cached). */
function derivedImages(
  spec: EmojiDomainSpec,
  derivation: DerivedDomainKind,
  source: StyleImages,
  imageSize: number,
  cacheDir: string,
  onProgress?: ProgressFn,
): StyleImages {
  const key = sha256(JSON.stringify({ format: EMOJI_CACHE_FORMAT, derivedFormat: DERIVED_DOMAIN_FORMAT, derivation, source: source.key }));
  const entryName = `${spec.name}-${source.entrySuffix}`;
  const base = { concepts: source.concepts, failed: source.failed, key, entrySuffix: source.entrySuffix };
  const cached = readCachedStyle(cacheDir, entryName, key);
  if (cached) {
    onProgress?.({ stage: `load ${spec.name}`, done: 1, total: 1 });
    return { ...base, images: cached.images, fromCache: true };
  }
  const stage = `derive ${spec.name}`;
  onProgress?.({ stage, done: 0, total: source.concepts.length });
  const images = deriveImages(derivation, source.images, imageSize, imageSize);
  onProgress?.({ stage, done: source.concepts.length, total: source.concepts.length });
  writeCachedStyle(cacheDir, entryName, { key, imageSize, concepts: source.concepts, failed: source.failed }, images);
  return { ...base, images, fromCache: false };
}

/** The images of one style, from the cache when it is current, else rendered (and cached). */
async function styleImages(
  style: EmojiStyle,
  catalog: EmojiConcept[],
  catalogSize: number,
  imageSize: number,
  cacheDir: string,
  onProgress?: ProgressFn,
): Promise<StyleImages> {
  const jobs = catalog.map((c) => [c.name, c.icons[style.name]] as const);
  const key = sha256(
    JSON.stringify({
      format: EMOJI_CACHE_FORMAT,
      renderer: packageVersion('@resvg/resvg-js'),
      iconSet: iconifySetHash(style.packageName),
      imageSize,
      jobs,
    }),
  );
  // One entry per style, size and class selection: a re-render replaces the stale file of the same name.
  const selection = catalog.length === catalogSize ? 'all' : sha256(jobs.map(([name]) => name).join('\n')).slice(0, 10);
  const entrySuffix = `${imageSize}px-${selection}`;
  const entryName = `${style.name}-${entrySuffix}`;
  const cached = readCachedStyle(cacheDir, entryName, key);
  if (cached) {
    onProgress?.({ stage: `load ${style.name}`, done: 1, total: 1 });
    return { images: cached.images, concepts: cached.entry.concepts, failed: cached.entry.failed, fromCache: true, key, entrySuffix };
  }

  const iconSet = loadIconifySet(style.packageName);
  const stage = `render ${style.name}`;
  onProgress?.({ stage, done: 0, total: jobs.length });
  const result = await renderSvgs(
    jobs.map(([name, icon]) => ({ id: name, svg: iconToSquareSvg(iconSet, icon, imageSize) })),
    imageSize,
    { onRendered: (done, total) => onProgress?.({ stage, done, total }) },
  );
  const failed = result.failures.map((f) => ({ concept: f.id, reason: f.reason }));
  if (failed.length > 0) {
    console.warn(`EmojiDomains: ${style.name}: skipped ${failed.length} icon(s) that failed to render: ${failed.map((f) => `${f.concept} (${f.reason})`).join('; ')}`);
  }
  const concepts = jobs.map(([name]) => name).filter((name) => result.images.has(name));
  const per = imageSize * imageSize * 3;
  const images = new Uint8Array(concepts.length * per);
  concepts.forEach((name, i) => images.set(result.images.get(name)!, i * per));
  writeCachedStyle(cacheDir, entryName, { key, imageSize, concepts, failed }, images);
  return { images, concepts, failed, fromCache: false, key, entrySuffix };
}

