/**
 * GPT-2/CLIP `bytes_to_unicode()`: printable Latin-1 bytes map to themselves, the other 68
 * bytes to U+0100 onwards, so every byte string becomes a string without spaces or controls.
 */
function buildByteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCharCode(256 + n++);
  }
  return table;
}

export const BYTE_TO_UNICODE: readonly string[] = buildByteToUnicode();
export const UNICODE_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_UNICODE.map((ch, b) => [ch, b]));

const utf8 = new TextEncoder();

export function toByteUnicode(text: string): string {
  let out = '';
  for (const b of utf8.encode(text)) out += BYTE_TO_UNICODE[b];
  return out;
}
