import { CP1252_C1, encodeSloppyCp1252 } from './cp1252';
import { ftfyUnescapeHtml } from './html-unescape';

/*
 * The subset of ftfy 6.3 `fix_text()` (default settings) that CLIP's text cleaning relies on,
 * applied in ftfy's order and repeated until the text stops changing:
 *   unescape_html (skipped for a line containing '<', and for every line after it)
 *   -> fix_encoding (whole-segment UTF-8-read-as-Windows-1252 repair only)
 *   -> fix_c1_controls -> fix_latin_ligatures -> fix_character_width -> uncurl_quotes
 *   -> fix_line_breaks -> fix_surrogates -> remove_terminal_escapes -> remove_control_chars -> NFC.
 * Not reproduced: ftfy's partial/heuristic mojibake repairs (mixed encodings inside one line,
 * `restore_byte_a0`, `replace_lossy_sequences`), which need its character-badness model.
 */

const LIGATURES: Readonly<Record<string, string>> = {
  'Ĳ': 'IJ', 'ĳ': 'ij', 'ŉ': 'ʼn', 'Ǳ': 'DZ', 'ǲ': 'Dz', 'ǳ': 'dz', 'Ǆ': 'DŽ', 'ǅ': 'Dž', 'ǆ': 'dž',
  'Ǉ': 'LJ', 'ǈ': 'Lj', 'ǉ': 'lj', 'Ǌ': 'NJ', 'ǋ': 'Nj', 'ǌ': 'nj',
  'ﬀ': 'ff', 'ﬁ': 'fi', 'ﬂ': 'fl', 'ﬃ': 'ffi', 'ﬄ': 'ffl', 'ﬅ': 'ſt', 'ﬆ': 'st',
};
const LIGATURE_RE = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'g');

// Fullwidth ASCII, halfwidth katakana/hangul and the fullwidth symbols, plus the ideographic space.
const WIDTH_RE = /[\u3000\uFF01-\uFFEF]/g;
const C1_RE = /[\x80-\x9f]/g;
const SINGLE_QUOTE_RE = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_QUOTE_RE = /[\u201c-\u201f]/g;
const LINE_BREAK_RE = /\r\n|[\r\u2028\u2029\x85]/g;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const TERMINAL_ESCAPE_RE = /\x1b\[((?:\d|;)*)([a-zA-Z])/g;
// ASCII controls except \t \n \f \r, deprecated Arabic format controls, BOM, interlinear
// annotations and U+FFFC. Joiners, bidi marks and emoji tag characters stay.
const CONTROL_RE = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;
// Characters typical of UTF-8 bytes shown as Windows-1252 ("Ã©", "â€™").
const MOJIBAKE_HINT_RE = /[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2026\u2030\u2039\u203a\u20ac\u2122]/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function fixWholeSegmentMojibake(text: string): string {
  if (!MOJIBAKE_HINT_RE.test(text)) return text;
  const bytes = encodeSloppyCp1252(text);
  if (!bytes) return text;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return text; // not valid UTF-8 once re-encoded: it was real Latin-1 text, keep it
  }
}

function fixSegmentOnce(text: string, unescapeHtml: boolean): string {
  let t = unescapeHtml ? ftfyUnescapeHtml(text) : text;
  t = fixWholeSegmentMojibake(t);
  t = t.replace(C1_RE, (c) => CP1252_C1[c.charCodeAt(0) - 0x80]);
  t = t.replace(LIGATURE_RE, (c) => LIGATURES[c]);
  t = t.replace(WIDTH_RE, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')));
  t = t.replace(SINGLE_QUOTE_RE, "'").replace(DOUBLE_QUOTE_RE, '"');
  t = t.replace(LINE_BREAK_RE, '\n');
  t = t.replace(LONE_SURROGATE_RE, '\uFFFD');
  t = t.replace(TERMINAL_ESCAPE_RE, '');
  t = t.replace(CONTROL_RE, '');
  return t.normalize('NFC');
}

/** ftfy-style repair of one string (see the module comment for what is covered). */
export function fixText(text: string): string {
  let out = '';
  let unescapeHtml = true;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl + 1;
    let segment = text.slice(pos, end);
    // ftfy turns HTML unescaping off for good once it meets a line with a literal '<'.
    if (unescapeHtml && segment.includes('<')) unescapeHtml = false;
    for (let i = 0; i < 16; i++) {
      const next = fixSegmentOnce(segment, unescapeHtml);
      if (next === segment) break;
      segment = next;
    }
    out += segment;
    pos = end;
  }
  return out;
}
