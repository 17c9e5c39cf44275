import { LEGACY_ENTITIES, NAMED_ENTITIES, UPPERCASE_ALIASES } from './html-entity-table';
import { CP1252_C1 } from './cp1252';

// Python's html._charref pattern.
const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

function isInvalidCodePoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) ||
    n === 0xb ||
    (n >= 0xe && n <= 0x1f) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) ||
    (n & 0xfffe) === 0xfffe // U+xFFFE and U+xFFFF in every plane
  );
}

/** Decodes a numeric reference body such as `#233` or `#x263A;` like Python's html.unescape. */
function numericCharref(body: string): string {
  const digits = body.replace(/;$/, '');
  const num = digits[1] === 'x' || digits[1] === 'X' ? parseInt(digits.slice(2), 16) : parseInt(digits.slice(1), 10);
  if (num === 0) return '\uFFFD';
  if (num === 0x0d) return '\r';
  if (num >= 0x80 && num <= 0x9f) return CP1252_C1[num - 0x80];
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\uFFFD';
  if (isInvalidCodePoint(num)) return '';
  return String.fromCodePoint(num);
}

function namedEntity(name: string, withSemicolon: boolean): string | undefined {
  const canonical = UPPERCASE_ALIASES.get(name) ?? name;
  if (withSemicolon) return NAMED_ENTITIES.get(canonical);
  return LEGACY_ENTITIES.has(name) ? NAMED_ENTITIES.get(canonical) : undefined;
}

/**
 * Python's `html.unescape` over the HTML 4 entity names (plus `&apos;`): numeric references
 * with Python's replacements for invalid code points, named references with or without `;`
 * for the legacy names, and the longest-legacy-prefix rule (`&amplifier` -> `&lifier`).
 * HTML5-only names (`&check;`, `&NotEqual;`...) are left as they are.
 */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, (whole, body: string) => {
    if (body[0] === '#') return numericCharref(body);
    const hasSemicolon = body.endsWith(';');
    const name = hasSemicolon ? body.slice(0, -1) : body;
    const exact = namedEntity(name, hasSemicolon);
    if (exact !== undefined) return exact;
    for (let x = body.length - 1; x > 1; x--) {
      const hit = namedEntity(body.slice(0, x), false);
      if (hit !== undefined) return hit + body.slice(x);
    }
    return whole;
  });
}

// ftfy's HTML_ENTITY_RE: only entities that end in ';' are decoded by name.
const FTFY_ENTITY = /&#?[0-9A-Za-z]{1,24};?/g;

/**
 * ftfy's `unescape_html` fix: named entities only with their `;` (and their all-caps forms,
 * `&EACUTE;` -> `É`), numeric ones only when fully consumed.
 */
export function ftfyUnescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(FTFY_ENTITY, (whole) => {
    if (whole.startsWith('&#')) {
      const decoded = htmlUnescape(whole);
      return decoded.includes(';') ? whole : decoded;
    }
    if (!whole.endsWith(';')) return whole;
    const name = whole.slice(1, -1);
    const direct = NAMED_ENTITIES.get(UPPERCASE_ALIASES.get(name) ?? name);
    if (direct !== undefined) return direct;
    // ftfy also accepts the upper-cased form of an all-lower-case name.
    if (name === name.toUpperCase()) {
      const lower = NAMED_ENTITIES.get(name.toLowerCase());
      if (lower !== undefined) return lower.toUpperCase();
    }
    return whole;
  });
}
