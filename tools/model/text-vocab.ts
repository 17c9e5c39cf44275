/**
 * The text tower's embedding rows. CLIP's BPE has 49,408 ids, but pretraining captions use a few
 * hundred of them; a full table would be 50x larger than needed. Each id seen in training gets
 * its own row; every other id shares one of `hashRows` fixed random rows (id mod hashRows), so an
 * unseen word still changes the embedding and different class names stay distinguishable,
 * although what such a row means was never learnt.
 */
export interface TextVocab {
  /** CLIP ids with a learnt row, ascending; row i belongs to knownIds[i]. */
  readonly knownIds: number[];
  readonly hashRows: number;
  /** CLIP id -> row, for all `clipVocabSize` ids (the ONNX graph's first Gather). */
  readonly remap: Int32Array;
  readonly rowCount: number;
}

export function buildTextVocab(tokenizedCaptions: Iterable<ArrayLike<number>>, clipVocabSize: number, hashRows: number): TextVocab {
  if (!Number.isInteger(hashRows) || hashRows < 1) throw new RangeError(`hashRows must be a positive integer, got ${hashRows}`);
  const seen = new Set<number>();
  for (const ids of tokenizedCaptions) for (let i = 0; i < ids.length; i++) seen.add(ids[i]);
  for (const id of seen) if (!Number.isInteger(id) || id < 0 || id >= clipVocabSize) throw new RangeError(`token id ${id} is outside the CLIP vocabulary`);
  const knownIds = [...seen].sort((a, b) => a - b);
  const remap = new Int32Array(clipVocabSize);
  for (let id = 0; id < clipVocabSize; id++) remap[id] = knownIds.length + (id % hashRows);
  knownIds.forEach((id, row) => (remap[id] = row));
  return { knownIds, hashRows, remap, rowCount: knownIds.length + hashRows };
}

/**
 * The positions a text tower reads: SOT up to and including EOT. CLIP pads with id 0, which is
 * also a real token ("!"), so the end is found as CLIP itself finds it: EOT has the largest id
 * and its position is the argmax.
 */
export function validLength(ids: ArrayLike<number | bigint>): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < ids.length; i++) {
    const v = Number(ids[i]);
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best + 1;
}
