import { fixText } from './fix-text';
import { htmlUnescape } from './html-unescape';

// Python's str.isspace() set, which `" ".join(s.split())` collapses (JS \s differs: it lacks
// \x1c-\x1f and \x85 and adds \ufeff).
const PY_WHITESPACE_RUN = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/** open_clip `whitespace_clean`: every whitespace run becomes one space, ends trimmed. */
export function collapseWhitespace(text: string): string {
  return text.replace(PY_WHITESPACE_RUN, ' ').replace(/^ | $/g, '');
}

/**
 * open_clip's default cleaning (`clean='lower'`): ftfy.fix_text, html.unescape twice, whitespace
 * collapse, lower-case. The result is exactly what the pre-tokeniser sees.
 */
export function cleanClipText(text: string): string {
  const unescaped = htmlUnescape(htmlUnescape(fixText(text)));
  return collapseWhitespace(unescaped).toLowerCase();
}
