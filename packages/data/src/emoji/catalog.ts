import { EMOJI_CLASSES, type EmojiClassSpec } from './classes';
import { EMOJI_STYLES } from './styles';
import { codepointKey, loadEmojibase, loadIconifyChars, type EmojibaseEmoji } from './sources';

/** One emoji concept of EmojiDomains: drawn once in every style. */
export interface EmojiConcept {
  /** The CLDR short name from emojibase ("dog face"); unique, and the concept's id. */
  name: string;
  className: string;
  /** Index into EMOJI_CLASSES. */
  classIndex: number;
  group: string;
  subgroup: string;
  /** emojibase hexcode, e.g. "1F436". */
  hexcode: string;
  emoji: string;
  /** emojibase keywords (useful for captions). */
  tags: string[];
  /** Icon name of this concept in each style's iconify set. */
  icons: Record<string, string>;
}

export class EmojiCatalogError extends Error {
  override name = 'EmojiCatalogError';
}

/**
 * Icons that bring the renderer down (a Rust panic in resvg aborts the whole process), found by the
 * guarded renderer. Their concepts are dropped from every style so that all styles keep the same
 * concepts; the guard still catches any new one at render time.
 */
export const KNOWN_RENDER_FAILURES: Readonly<Record<string, readonly string[]>> = {
  noto: ['package', 'rainbow-flag'],
};

const GENDER_WORDS = new Set(['man', 'woman', 'men', 'women', 'people', 'person']);

/**
 * Emoji that differ only in gender, hair or facing direction ("man running", "woman running: facing
 * right") share a family; one member stands for it. Keeping all would put near-identical pictures on both
 * sides of a split.
 */
export function conceptFamily(label: string): string {
  const base = label.toLowerCase().replace(/:.*$/, '');
  const words = base.split(/\s+/).filter((w) => w.length > 0 && !GENDER_WORDS.has(w));
  return words.length > 0 ? words.join(' ') : 'person';
}

function hasGenderWord(label: string): boolean {
  return label.toLowerCase().replace(/:.*$/, '').split(/\s+/).some((w) => w === 'man' || w === 'woman' || w === 'men' || w === 'women');
}

/** Which class (index) each emojibase label belongs to, checking the table for typos and overlaps. */
function classOfLabel(emojis: EmojibaseEmoji[], subgroupNames: Record<string, string>, table: readonly EmojiClassSpec[]): Map<string, number> {
  const labels = new Set(emojis.map((e) => e.label));
  const subgroups = new Set(Object.values(subgroupNames));
  const assigned = new Map<string, number>();
  const assign = (label: string, c: number) => {
    const prev = assigned.get(label);
    if (prev !== undefined && prev !== c) throw new EmojiCatalogError(`"${label}" is in two classes: ${table[prev].name} and ${table[c].name}`);
    assigned.set(label, c);
  };
  table.forEach((spec, c) => {
    for (const sg of spec.subgroups) if (!subgroups.has(sg)) throw new EmojiCatalogError(`class ${spec.name}: unknown emoji subgroup "${sg}"`);
    for (const l of [...(spec.exclude ?? []), ...(spec.include ?? [])]) {
      if (!labels.has(l)) throw new EmojiCatalogError(`class ${spec.name}: no emoji is labelled "${l}"`);
    }
    const excluded = new Set(spec.exclude ?? []);
    for (const e of emojis) {
      if (e.subgroup === undefined || excluded.has(e.label)) continue;
      if (spec.subgroups.includes(subgroupNames[e.subgroup])) assign(e.label, c);
    }
    for (const l of spec.include ?? []) assign(l, c);
  });
  return assigned;
}

/**
 * The EmojiDomains concepts: emoji of a class in the table that every supported style draws (joined by
 * code point through each iconify set's chars map), one per family, minus known render failures. The
 * universe does not depend on which styles a caller renders, so the pretrain/benchmark split is the
 * same whatever subset of styles is used.
 */
export function buildEmojiCatalog(): EmojiConcept[] {
  catalogMemo ??= computeCatalog();
  return catalogMemo.map((c) => ({ ...c, tags: [...c.tags], icons: { ...c.icons } }));
}

let catalogMemo: EmojiConcept[] | null = null;

function computeCatalog(): EmojiConcept[] {
  const { emojis, subgroupNames, groupNames } = loadEmojibase();
  const classOf = classOfLabel(emojis, subgroupNames, EMOJI_CLASSES);
  const chars = EMOJI_STYLES.map((s) => {
    const map = new Map<string, string>();
    for (const [hex, icon] of Object.entries(loadIconifyChars(s.packageName))) map.set(codepointKey(hex), icon);
    return { style: s.name, map };
  });
  const families = new Map<string, EmojiConcept>();
  const familyHasNeutral = new Map<string, boolean>();
  for (const e of emojis) {
    const c = classOf.get(e.label);
    if (c === undefined || e.group === undefined || e.subgroup === undefined) continue;
    const key = codepointKey(e.hexcode);
    const icons: Record<string, string> = {};
    let everywhere = true;
    for (const { style, map } of chars) {
      const icon = map.get(key);
      if (icon === undefined || KNOWN_RENDER_FAILURES[style]?.includes(icon)) {
        everywhere = false;
        break;
      }
      icons[style] = icon;
    }
    if (!everywhere) continue;
    const concept: EmojiConcept = {
      name: e.label,
      className: EMOJI_CLASSES[c].name,
      classIndex: c,
      group: groupNames[e.group],
      subgroup: subgroupNames[e.subgroup],
      hexcode: e.hexcode,
      emoji: e.emoji,
      tags: e.tags ?? [],
      icons,
    };
    const family = `${c}:${conceptFamily(e.label)}`;
    const neutral = !hasGenderWord(e.label);
    // The first gender-neutral member stands for its family; otherwise the first member.
    if (!families.has(family) || (neutral && !familyHasNeutral.get(family))) {
      families.set(family, concept);
      familyHasNeutral.set(family, neutral);
    }
  }
  const order = new Map(emojis.map((e, i) => [e.label, e.order ?? i]));
  return [...families.values()].sort((a, b) => a.classIndex - b.classIndex || order.get(a.name)! - order.get(b.name)!);
}
