import { describe, expect, it } from 'vitest';
import { buildTextVocab, validLength } from './text-vocab';

describe('buildTextVocab', () => {
  const vocab = buildTextVocab([[49406, 320, 1929, 49407], [49406, 320, 2368, 49407]], 49408, 8);

  it('gives each token seen in training its own row, in id order', () => {
    expect(vocab.knownIds).toEqual([320, 1929, 2368, 49406, 49407]);
    expect([320, 1929, 2368, 49406, 49407].map((id) => vocab.remap[id])).toEqual([0, 1, 2, 3, 4]);
    expect(vocab.rowCount).toBe(5 + 8);
  });

  it('sends unseen ids to the shared hash rows, id mod hashRows', () => {
    expect(vocab.remap[0]).toBe(5 + 0);
    expect(vocab.remap[9]).toBe(5 + 1);
    expect(vocab.remap[49405]).toBe(5 + (49405 % 8));
    expect(Math.max(...vocab.remap)).toBeLessThan(vocab.rowCount);
  });

  it('rejects ids outside the CLIP vocabulary and bad hash row counts', () => {
    expect(() => buildTextVocab([[49408]], 49408, 8)).toThrow(/outside the CLIP vocabulary/);
    expect(() => buildTextVocab([[1]], 49408, 0)).toThrow(/hashRows/);
  });
});

describe('validLength', () => {
  it('ends at EOT even when the text contains id 0 ("!"), which is also the padding id', () => {
    // "<sot> wow ! <eot>" padded with zeros
    const ids = [49406, 1231, 0, 49407, 0, 0, 0];
    expect(validLength(ids)).toBe(4);
    expect(validLength(ids.map(BigInt))).toBe(4);
  });
});
