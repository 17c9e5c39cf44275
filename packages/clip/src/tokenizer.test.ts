import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer, TokenizerFormatError } from './tokenizer';

const fixtures = new URL('../test-fixtures/clip-tokenizer/', import.meta.url);
const tokenizerJson = JSON.parse(readFileSync(new URL('tokenizer.json', fixtures), 'utf8')) as unknown;
interface Case {
  category: string;
  text: string;
  cleaned: string;
  tokens: number[];
  ids: number[];
  truncated: boolean;
}
const cases = JSON.parse(readFileSync(new URL('tokenizer-cases.json', fixtures), 'utf8')) as Case[];
const tok = ClipTokenizer.fromTokenizerJson(tokenizerJson);

describe('ClipTokenizer against open_clip reference cases', () => {
  it('loads the CLIP vocabulary', () => {
    expect(tok.vocabSize).toBe(49408);
    expect(tok.sotId).toBe(49406);
    expect(tok.eotId).toBe(49407);
    expect(cases.length).toBe(44);
  });

  it.each(cases.map((c, i) => [i, c.category, c] as const))('case %i (%s): cleaning, encode and tokenize match', (_i, _cat, c) => {
    expect(tok.clean(c.text)).toBe(c.cleaned);
    expect(tok.encode(c.text)).toEqual(c.tokens);
    expect(Array.from(tok.tokenize(c.text))).toEqual(c.ids);
  });

  it('covers truncation: the cut keeps SOT, 75 tokens and writes EOT last', () => {
    const truncated = cases.filter((c) => c.truncated);
    expect(truncated.length).toBeGreaterThan(0);
    for (const c of truncated) {
      const ids = tok.tokenize(c.text);
      expect(ids[76]).toBe(49407);
      expect(Array.from(ids.slice(1, 76))).toEqual(c.tokens.slice(0, 75));
    }
  });
});

describe('ClipTokenizer cleaning (ftfy-like fixes)', () => {
  const same = (a: string, b: string) => expect(tok.encode(a)).toEqual(tok.encode(b));

  it('straightens curly quotes', () => {
    same('it\u2019s a dog\u2019s toy', "it's a dog's toy");
    same('\u201cquoted\u201d', '"quoted"');
    expect(tok.encode('it\u2019s')).toEqual(cases.find((c) => c.text === "it's")!.tokens);
  });

  it('expands ligatures and folds fullwidth characters', () => {
    same('\ufb01sh \ufb02ower', 'fish flower');
    same('\uff26\uff2f\uff2f\u3000\uff11\uff12', 'foo 12');
  });

  it('repairs UTF-8 read as Windows-1252 and C1 controls', () => {
    same('caf\u00c3\u00a9', 'caf\u00e9');
    same('it\u00e2\u20ac\u2122s', "it's");
    same('wait\x85', 'wait\u2026');
    // Real Latin-1 text that is not mojibake stays as it is.
    expect(tok.clean('N\u00c3O')).toBe('n\u00e3o');
  });

  it('unescapes HTML like ftfy plus html.unescape twice', () => {
    expect(tok.clean('&EACUTE;t&eacute;')).toBe('\u00e9t\u00e9');
    expect(tok.clean('fish &amp;amp;amp; chips')).toBe('fish & chips');
    expect(tok.clean('&amplifier &notit; &#0; &#x110000; &#128;')).toBe('&lifier \u00acit; \ufffd \ufffd \u20ac');
    // A literal '<' turns ftfy's unescaping off, leaving only open_clip's two html.unescape passes.
    expect(tok.clean('<p> &amp;amp;amp;')).toBe('<p> &amp;');
  });

  it('removes control characters and terminal escapes but keeps emoji tag sequences', () => {
    expect(tok.clean('a\x00b\u200b \x1b[31mred\x1b[0m \ufeffok')).toBe('ab\u200b red ok');
    const wales = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F}';
    expect(tok.clean(wales)).toBe(wales);
  });

  it('maps open_clip special-token literals to SOT/EOT ids', () => {
    expect(tok.encode('a <end_of_text>')).toEqual([320, 49407]);
    // Words that are also Object.prototype keys are ordinary words.
    for (const w of ['constructor', 'toString', '__proto__']) expect(tok.encode(w)).not.toContain(49407);
  });
});

describe('ClipTokenizer output shapes', () => {
  it('tokenizeBatch is row-major int64 with zero padding', () => {
    const batch = tok.tokenizeBatch(['a photo of a cat', ''], 8);
    expect(batch).toBeInstanceOf(BigInt64Array);
    expect(Array.from(batch, Number)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407, 0, 49406, 49407, 0, 0, 0, 0, 0, 0]);
  });

  it('truncates at any context length and rejects a context too short for SOT+EOT', () => {
    expect(Array.from(tok.tokenize('a photo of a cat', 4))).toEqual([49406, 320, 1125, 49407]);
    expect(() => tok.tokenize('x', 1)).toThrow(RangeError);
  });

  it('decodes ids back to readable text', () => {
    expect(tok.decode(tok.tokenize('A photo of a Café!'))).toBe('a photo of a café !');
  });

  it('caches BPE results without changing them', () => {
    const first = tok.encode('supercalifragilisticexpialidocious');
    expect(tok.encode('supercalifragilisticexpialidocious')).toEqual(first);
  });
});

describe('ClipTokenizer.fromTokenizerJson validation', () => {
  it('names the bad part of a malformed tokenizer.json', () => {
    expect(() => ClipTokenizer.fromTokenizerJson(null)).toThrow(TokenizerFormatError);
    expect(() => ClipTokenizer.fromTokenizerJson({})).toThrow(/missing "model"/);
    expect(() => ClipTokenizer.fromTokenizerJson({ model: { type: 'WordPiece', vocab: {} } })).toThrow(/expected "BPE"/);
    expect(() => ClipTokenizer.fromTokenizerJson({ model: { type: 'BPE', vocab: { a: 0 }, merges: [] } })).toThrow(/<\|startoftext\|>/);
    expect(() =>
      ClipTokenizer.fromTokenizerJson({ model: { type: 'BPE', vocab: { '<|startoftext|>': 1, '<|endoftext|>': 2 }, merges: [1] } }),
    ).toThrow(/merges\[0\]/);
  });

  it('accepts the older "a b" merge format and the JSON text', () => {
    const model = (tokenizerJson as { model: { merges: [string, string][] } }).model;
    const legacy = { ...(tokenizerJson as object), model: { ...model, merges: model.merges.map((m) => m.join(' ')) } };
    const t2 = ClipTokenizer.fromTokenizerJson(JSON.stringify(legacy));
    expect(t2.encode('a close-up photo of a hamster.')).toEqual(tok.encode('a close-up photo of a hamster.'));
  });
});
