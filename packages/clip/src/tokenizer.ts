import { toByteUnicode, UNICODE_TO_BYTE } from './text/byte-unicode';
import { cleanClipText } from './text/clean-text';

export const CLIP_CONTEXT_LENGTH = 77;

export class TokenizerFormatError extends Error {
  override readonly name = 'TokenizerFormatError';
}

// open_clip's pre-tokeniser. Its special-token literals are `<start_of_text>`/`<end_of_text>`
// (it tokenises `<|endoftext|>` as ordinary text); the text is already lower-cased, so no `i` flag.
const SPECIAL_LITERALS: ReadonlyMap<string, 'sot' | 'eot'> = new Map([
  ['<start_of_text>', 'sot'],
  ['<end_of_text>', 'eot'],
]);
const PRETOKEN_RE = /<start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/gu;

const CACHE_LIMIT = 20_000;

interface BpeModelJson {
  type?: unknown;
  vocab?: unknown;
  merges?: unknown;
  end_of_word_suffix?: unknown;
}

function parseMerges(merges: unknown): Map<string, number> {
  if (!Array.isArray(merges)) throw new TokenizerFormatError('tokenizer.json: model.merges must be an array');
  const ranks = new Map<string, number>();
  for (let rank = 0; rank < merges.length; rank++) {
    const m: unknown = merges[rank];
    // Older tokenizer.json files write "a b", newer ones ["a", "b"].
    let key: string | null = null;
    if (typeof m === 'string') key = m.indexOf(' ') > 0 && m.indexOf(' ') === m.lastIndexOf(' ') ? m : null;
    else if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') key = `${m[0]} ${m[1]}`;
    if (key === null) throw new TokenizerFormatError(`tokenizer.json: model.merges[${rank}] is not a pair of strings: ${JSON.stringify(m)}`);
    if (!ranks.has(key)) ranks.set(key, rank);
  }
  return ranks;
}

function parseVocab(vocab: unknown): Map<string, number> {
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) {
    throw new TokenizerFormatError('tokenizer.json: model.vocab must be an object of token -> id');
  }
  const map = new Map<string, number>();
  const entries = vocab as Record<string, unknown>;
  for (const tok in entries) {
    const id = entries[tok];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerFormatError(`tokenizer.json: vocab id of ${JSON.stringify(tok)} is not a non-negative integer`);
    }
    map.set(tok, id);
  }
  return map;
}

/**
 * CLIP's byte-level BPE tokenizer, reproducing open_clip's `SimpleTokenizer` and `tokenize()`
 * (cleaning, pre-tokenisation, BPE, SOT/EOT, zero padding, truncation). Browser-safe.
 */
export class ClipTokenizer {
  readonly sotId: number;
  readonly eotId: number;
  readonly vocabSize: number;
  private readonly encoder: Map<string, number>;
  private decoder: Map<number, string> | null = null;
  private readonly ranks: Map<string, number>;
  private readonly suffix: string;
  private readonly cache = new Map<string, number[]>();

  private constructor(encoder: Map<string, number>, ranks: Map<string, number>, suffix: string) {
    this.encoder = encoder;
    this.ranks = ranks;
    this.suffix = suffix;
    const sot = encoder.get('<|startoftext|>');
    const eot = encoder.get('<|endoftext|>');
    if (sot === undefined || eot === undefined) {
      throw new TokenizerFormatError('tokenizer.json: vocabulary lacks <|startoftext|> or <|endoftext|>');
    }
    this.sotId = sot;
    this.eotId = eot;
    this.vocabSize = encoder.size;
  }

  /** Reads a Hugging Face `tokenizer.json` (parsed object or its text) with a BPE model. */
  static fromTokenizerJson(json: unknown): ClipTokenizer {
    const doc = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
    if (typeof doc !== 'object' || doc === null) throw new TokenizerFormatError('tokenizer.json: expected a JSON object');
    const model = (doc as { model?: BpeModelJson }).model;
    if (typeof model !== 'object' || model === null) throw new TokenizerFormatError('tokenizer.json: missing "model" section');
    if (model.type !== undefined && model.type !== 'BPE') {
      throw new TokenizerFormatError(`tokenizer.json: model.type is ${JSON.stringify(model.type)}, expected "BPE"`);
    }
    const encoder = parseVocab(model.vocab);
    // Special tokens may live only in added_tokens.
    const added = (doc as { added_tokens?: unknown }).added_tokens;
    if (Array.isArray(added)) {
      for (const t of added as { id?: unknown; content?: unknown }[]) {
        if (typeof t?.content === 'string' && Number.isInteger(t.id) && !encoder.has(t.content)) encoder.set(t.content, t.id as number);
      }
    }
    const suffix = typeof model.end_of_word_suffix === 'string' ? model.end_of_word_suffix : '</w>';
    return new ClipTokenizer(encoder, parseMerges(model.merges), suffix);
  }

  /** The cleaned, lower-cased text the pre-tokeniser sees. */
  clean(text: string): string {
    return cleanClipText(text);
  }

  /** Token ids of `text` without SOT/EOT and without truncation (open_clip `SimpleTokenizer.encode`). */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const match of this.clean(text).matchAll(PRETOKEN_RE)) {
      const piece = match[0];
      const special = SPECIAL_LITERALS.get(piece);
      if (special) ids.push(special === 'sot' ? this.sotId : this.eotId);
      else for (const id of this.bpeIds(piece)) ids.push(id);
    }
    return ids;
  }

  /**
   * SOT + tokens + EOT, zero-padded to `contextLength`. Too long: keep the first
   * `contextLength` ids and overwrite the last with EOT (open_clip `tokenize()`).
   */
  tokenize(text: string, contextLength = CLIP_CONTEXT_LENGTH): Int32Array {
    const out = new Int32Array(contextLength);
    this.writeTokens(text, contextLength, (i, id) => (out[i] = id));
    return out;
  }

  /** Row-major [texts.length, contextLength] int64 ids, ready for an ONNX `input_ids` tensor. */
  tokenizeBatch(texts: readonly string[], contextLength = CLIP_CONTEXT_LENGTH): BigInt64Array {
    const out = new BigInt64Array(texts.length * contextLength);
    texts.forEach((text, row) => this.writeTokens(text, contextLength, (i, id) => (out[row * contextLength + i] = BigInt(id))));
    return out;
  }

  /** Readable text for ids (special tokens and padding dropped); for logs and debugging. */
  decode(ids: ArrayLike<number | bigint>): string {
    const decoder = (this.decoder ??= new Map([...this.encoder].map(([tok, id]) => [id, tok])));
    const bytes: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = Number(ids[i]);
      if (id === this.sotId || id === this.eotId) continue;
      if (id === 0 && i > 0 && Number(ids[i - 1]) === this.eotId) break; // padding after EOT
      const tok = decoder.get(id);
      if (tok === undefined) continue;
      const body = tok.endsWith(this.suffix) ? tok.slice(0, -this.suffix.length) : tok;
      for (const ch of body) bytes.push(UNICODE_TO_BYTE.get(ch) ?? 0x3f);
      if (body !== tok) bytes.push(0x20);
    }
    return new TextDecoder().decode(new Uint8Array(bytes)).trim();
  }

  private writeTokens(text: string, contextLength: number, put: (i: number, id: number) => void): void {
    if (!Number.isInteger(contextLength) || contextLength < 2) throw new RangeError(`contextLength must be an integer >= 2, got ${contextLength}`);
    const ids = [this.sotId, ...this.encode(text), this.eotId];
    const n = Math.min(ids.length, contextLength);
    for (let i = 0; i < n; i++) put(i, ids[i]);
    if (ids.length > contextLength) put(contextLength - 1, this.eotId);
  }

  private bpeIds(pretoken: string): number[] {
    const cached = this.cache.get(pretoken);
    if (cached) return cached;
    const ids = this.bpe(toByteUnicode(pretoken)).map((piece) => {
      const id = this.encoder.get(piece);
      if (id === undefined) throw new TokenizerFormatError(`BPE produced ${JSON.stringify(piece)}, which is not in the vocabulary`);
      return id;
    });
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(pretoken, ids);
    return ids;
  }

  /** Merges adjacent symbols by lowest rank until no ranked pair is left. */
  private bpe(token: string): string[] {
    // Byte-unicode characters are all in the BMP, so splitting by UTF-16 unit is splitting by char.
    let word = token.split('');
    word[word.length - 1] += this.suffix;
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const first = word[best];
      const second = word[best + 1];
      const merged: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]);
          i += 1;
        }
      }
      word = merged;
    }
    return word;
  }
}
