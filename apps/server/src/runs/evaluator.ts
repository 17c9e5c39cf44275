import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { encodeRgbImages, type ClipModel, type ImageEncoder } from '@clipfed/clip';
import {
  accuracy,
  adaptFeatureArray,
  type ClientModel,
  groupedAccuracy,
  predictWithClassifier,
  type LinearClassifier,
  type ShotThresholds,
  type WeightSet,
} from '@clipfed/fl';
import type { HeadAccuracy, ShotAccuracy } from '@clipfed/protocol';
import type { RunTask } from './run-task';

export type { HeadAccuracy, ShotAccuracy };

/** The text-prototype head (FedCLIP's prediction), and for CLIP2FL / CReFF the balanced head too. */
export interface Evaluation extends HeadAccuracy {
  /** Adapter → normalised I* → re-trained classifier R → argmax. */
  balanced?: HeadAccuracy;
}

/** What is evaluated in one round. */
export interface ModelUnderTest {
  /** The global adapter; null is zero-shot CLIP. */
  adapter: WeightSet | null;
  /**
   * The `local` algorithm's per-shard adapters: a set owned by a shard is measured with that shard's
   * adapter, every other set (held out) with each shard's adapter in turn, averaged.
   */
  shardAdapters?: readonly WeightSet[];
  /** CLIP2FL / CReFF's balanced classifier R. */
  classifier?: LinearClassifier;
}

interface SetScore {
  accuracy: number;
  shots?: ShotAccuracy;
}

interface EncodedSet {
  name: string;
  heldOut: boolean;
  ownerShard?: number;
  features: Float32Array;
  labels: Int32Array;
}

/** Rows adapted per slice between event-loop yields: ~0.1-0.2 s of a 512-d adapter on wasm. */
const ADAPT_SLICE = 1024;

/**
 * Held-out evaluation with the server's own CLIP (onnxruntime-node). Each set's features are encoded
 * once and cached on disk (keyed by the model and the set's pixels), so repeated runs on the same
 * data never re-encode. `evaluateModel` yields to the event loop between slices of work, so a long
 * evaluation never stalls the sockets.
 */
export class HeldOutEvaluator {
  private readonly textNormalised: Float32Array;
  private readonly numClasses: number;
  /** Scores of unchanged per-shard adapters (the `local` algorithm re-evaluates only what trained). */
  private readonly scoreCache = new WeakMap<WeightSet, Map<number, SetScore>>();

  private constructor(
    private readonly sets: EncodedSet[],
    readonly textEmbeddings: Float32Array,
    readonly embedDim: number,
    private readonly clientModel: ClientModel,
    private readonly trainClassCounts?: number[],
    private readonly shotThresholds?: ShotThresholds,
  ) {
    this.numClasses = textEmbeddings.length / embedDim;
    this.textNormalised = normaliseRows(textEmbeddings, embedDim);
  }

  static async create(
    model: ClipModel,
    modelKey: string,
    task: RunTask,
    /** What the clients train: how a set's CLIP features are adapted before the heads score them. */
    clientModel: ClientModel,
    cacheDir: string,
    onProgress?: (p: { set: string; done: number; total: number }) => void,
    /** Encodes a set on a cache miss; e.g. a per-image store shared with simulated clients. */
    encodeImages: ImageEncoder = encodeRgbImages,
  ): Promise<HeldOutEvaluator> {
    await mkdir(cacheDir, { recursive: true });
    const sets: EncodedSet[] = [];
    for (const set of task.evaluationSets) {
      const hash = createHash('sha256').update(modelKey).update(set.data.images).digest('hex').slice(0, 24);
      const file = join(cacheDir, `${hash}.f32`);
      let features: Float32Array;
      try {
        const bytes = await readFile(file);
        features = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        if (features.length !== set.data.labels.length * model.embedDim) throw new Error('stale cache');
      } catch {
        features = await encodeImages(model, set.data.images, set.data.width, set.data.height, {
          onProgress: (p) => onProgress?.({ set: set.name, ...p }),
        });
        await writeFile(file, new Uint8Array(features.buffer));
      }
      sets.push({ name: set.name, heldOut: set.heldOut, ownerShard: set.ownerShard, features, labels: set.data.labels });
    }
    const textEmbeddings = await model.encodeTexts(task.prompts);
    return new HeldOutEvaluator(sets, textEmbeddings, model.embedDim, clientModel, task.trainClassCounts, task.shotThresholds);
  }

  /** Text-prototype accuracy of one adapter on every set, at once (`null` = zero-shot CLIP). */
  evaluate(weights: WeightSet | null): Evaluation {
    const scores = this.sets.map((s) => this.score(this.adapt(weights, s.features), s));
    return this.summarise(scores.map((s) => s.text));
  }

  /** Both heads, every set, in slices with event-loop yields in between. */
  async evaluateModel(m: ModelUnderTest): Promise<Evaluation> {
    const text: SetScore[] = [];
    const balanced: SetScore[] = [];
    for (const [i, set] of this.sets.entries()) {
      const adapters: (WeightSet | null)[] = !m.shardAdapters
        ? [m.adapter]
        : set.ownerShard !== undefined
          ? [m.shardAdapters[set.ownerShard] ?? m.adapter]
          : [...m.shardAdapters];
      const perAdapter: { text: SetScore; balanced?: SetScore }[] = [];
      for (const adapter of adapters) {
        const cached = adapter && !m.classifier ? this.scoreCache.get(adapter)?.get(i) : undefined;
        if (cached) {
          perAdapter.push({ text: cached });
          continue;
        }
        const result = this.score(await this.adaptInSlices(adapter, set.features), set, m.classifier);
        if (adapter && !m.classifier) {
          let byAdapter = this.scoreCache.get(adapter);
          if (!byAdapter) this.scoreCache.set(adapter, (byAdapter = new Map()));
          byAdapter.set(i, result.text);
        }
        perAdapter.push(result);
      }
      text.push(meanScore(perAdapter.map((r) => r.text)));
      if (m.classifier) balanced.push(meanScore(perAdapter.map((r) => r.balanced!)));
    }
    const evaluation: Evaluation = this.summarise(text);
    if (m.classifier) evaluation.balanced = this.summarise(balanced);
    return evaluation;
  }

  private async adaptInSlices(adapter: WeightSet | null, features: Float32Array): Promise<Float32Array> {
    const d = this.embedDim;
    const n = features.length / d;
    const out = new Float32Array(features.length);
    for (let start = 0; start < n; start += ADAPT_SLICE) {
      const end = Math.min(n, start + ADAPT_SLICE);
      out.set(this.adapt(adapter, features.subarray(start * d, end * d)), start * d);
      await yieldToEventLoop();
    }
    return out;
  }

  /** Normalised features as the heads see them: through the client model, or CLIP's own (`null`, zero-shot). */
  private adapt(weights: WeightSet | null, features: Float32Array): Float32Array {
    return weights === null ? adaptFeatureArray(null, features, this.embedDim) : this.clientModel.adapt(weights, features, this.embedDim);
  }

  /** Text-prototype (and balanced-head) scores of already adapted, normalised features. */
  private score(adapted: Float32Array, set: EncodedSet, classifier?: LinearClassifier): { text: SetScore; balanced?: SetScore } {
    const text = this.scorePredictions(textArgmax(adapted, this.textNormalised, this.embedDim, this.numClasses), set);
    return classifier ? { text, balanced: this.scorePredictions(predictWithClassifier(classifier, adapted), set) } : { text };
  }

  private scorePredictions(pred: Int32Array, set: EncodedSet): SetScore {
    if (!this.trainClassCounts || !set.heldOut) return { accuracy: accuracy(pred, set.labels) };
    const g = groupedAccuracy(pred, set.labels, this.trainClassCounts, this.shotThresholds);
    return { accuracy: g.overall, shots: { many: g.many, medium: g.medium, few: g.few } };
  }

  private summarise(scores: SetScore[]): HeadAccuracy {
    const perSet: Record<string, number> = {};
    const heldOut: SetScore[] = [];
    const owned: number[] = [];
    this.sets.forEach((s, i) => {
      perSet[s.name] = scores[i].accuracy;
      if (s.heldOut) heldOut.push(scores[i]);
      if (s.ownerShard !== undefined) owned.push(scores[i].accuracy);
    });
    const values = Object.values(perSet);
    const out: HeadAccuracy = {
      accuracy: values.reduce((a, b) => a + b, 0) / values.length,
      heldOutAccuracy: heldOut.length ? heldOut.reduce((a, s) => a + s.accuracy, 0) / heldOut.length : NaN,
      perSet,
    };
    if (owned.length) out.personalAccuracy = owned.reduce((a, b) => a + b, 0) / owned.length;
    const shots = heldOut.filter((s) => s.shots).map((s) => s.shots!);
    if (shots.length) out.shots = meanShots(shots);
    return out;
  }
}

function normaliseRows(x: Float32Array, d: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[r * d + k] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let k = 0; k < d; k++) out[r * d + k] = x[r * d + k] * inv;
  }
  return out;
}

/** argmax_c of I*·T̂_c (I* already normalised; the logit scale does not change the argmax). */
function textArgmax(adapted: Float32Array, text: Float32Array, d: number, k: number): Int32Array {
  const n = adapted.length / d;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += adapted[i * d + j] * text[c * d + j];
      if (s > best) {
        best = s;
        out[i] = c;
      }
    }
  }
  return out;
}

function meanScore(scores: SetScore[]): SetScore {
  const out: SetScore = { accuracy: scores.reduce((a, s) => a + s.accuracy, 0) / scores.length };
  if (scores.every((s) => s.shots)) out.shots = meanShots(scores.map((s) => s.shots!));
  return out;
}

function meanShots(list: ShotAccuracy[]): ShotAccuracy {
  const mean = (key: keyof ShotAccuracy) => (list.some((s) => s[key] === null) ? null : list.reduce((a, s) => a + s[key]!, 0) / list.length);
  return { many: mean('many'), medium: mean('medium'), few: mean('few') };
}
