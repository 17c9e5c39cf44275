/**
 * Windows-1252 for bytes 0x80-0x9F, "sloppy" like ftfy and Python's html module: the five
 * bytes cp1252 leaves undefined map to the same-numbered C1 control.
 */
export const CP1252_C1: readonly string[] = [
  '\u20ac', '\x81', '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021',
  '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', '\x8d', '\u017d', '\x8f',
  '\x90', '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014',
  '\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', '\x9d', '\u017e', '\u0178',
];

const CP1252_REVERSE: ReadonlyMap<string, number> = new Map(CP1252_C1.map((ch, i) => [ch, 0x80 + i]));

/** Encodes text as sloppy Windows-1252 bytes, or returns null if a character has no byte. */
export function encodeSloppyCp1252(text: string): Uint8Array | null {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = ch.charCodeAt(0);
    const c1 = CP1252_REVERSE.get(ch);
    if (c1 !== undefined) out[i] = c1;
    else if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) out[i] = code;
    else return null;
  }
  return out;
}
