import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { encodeRgbImages, type ClipModel, type ImageEncoder } from '@clipfed/clip';
import {
  accuracy,
  type ClientModel,
  type ClientModelContext,
  type ClientModelData,
  type ClientModelOutputs,
  groupedAccuracy,
  predictWithClassifier,
  preprocessPixels,
  type LinearClassifier,
  type ShotThresholds,
  type WeightSet,
} from '@clipfed/fl';
import type { HeadAccuracy, ShotAccuracy } from '@clipfed/protocol';
import { clientModelContext, type RunTask } from './run-task';

export type { HeadAccuracy, ShotAccuracy };

/**
 * The model's own head (an adapter's text prototypes, the student's FedAvg classifier), and for CLIP2FL / CReFF
 * the balanced head too.
 */
export interface Evaluation extends HeadAccuracy {
  /** The model's features (adapted I*, or the student's feature layer) → re-trained classifier R → argmax. */
  balanced?: HeadAccuracy;
}

/** What is evaluated in one round. */
export interface ModelUnderTest {
  /** The global model's weights; null is zero-shot CLIP. */
  weights: WeightSet | null;
  /**
   * The `local` algorithm's per-shard models: a set owned by a shard is measured with that shard's
   * model, every other set (held out) with each shard's model in turn, averaged.
   */
  shardWeights?: readonly WeightSet[];
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
  /** The set's images as the client model reads them (preprocessPixels), when it reads pixels. */
  pixels?: Float32Array;
  labels: Int32Array;
}

/**
 * Rows per slice between event-loop yields: ~0.1-0.2 s of a 512-d adapter on 1024 rows on wasm. The student's
 * forward pass takes ~0.7 ms per 28×28 image on wasm and ~35 ms on the cpu fallback (docs/BENCHMARKS.md), so it
 * goes 64 images at a time (under 0.1 s on wasm, ~2 s on cpu).
 */
const SLICE_ROWS = { 'clip-features': 1024, pixels: 64 } as const;

/**
 * Held-out evaluation with the server's own CLIP (onnxruntime-node) and the run's client model. Each set's CLIP
 * features are encoded once and cached on disk (keyed by the model and the set's pixels), so repeated runs on the
 * same data never re-encode; a model that reads pixels gets the set's images preprocessed as the clients' are.
 * `evaluateModel` yields to the event loop between slices of work, so a long evaluation never stalls the sockets.
 */
export class HeldOutEvaluator {
  private readonly textNormalised: Float32Array;
  private readonly numClasses: number;
  /** Scores of unchanged per-shard adapters (the `local` algorithm re-evaluates only what trained). */
  private readonly scoreCache = new WeakMap<WeightSet, Map<number, SetScore>>();

  private readonly sliceRows: number;

  private constructor(
    private readonly sets: EncodedSet[],
    readonly textEmbeddings: Float32Array,
    readonly embedDim: number,
    private readonly clientModel: ClientModel,
    private readonly modelContext: ClientModelContext,
    private readonly trainClassCounts?: number[],
    private readonly shotThresholds?: ShotThresholds,
  ) {
    this.numClasses = textEmbeddings.length / embedDim;
    this.textNormalised = normaliseRows(textEmbeddings, embedDim);
    this.sliceRows = clientModel.inputs.includes('pixels') ? SLICE_ROWS.pixels : SLICE_ROWS['clip-features'];
  }

  static async create(
    model: ClipModel,
    modelKey: string,
    task: RunTask,
    /** What the clients train: what the heads score (adapted CLIP features, or the student on the set's pixels). */
    clientModel: ClientModel,
    cacheDir: string,
    onProgress?: (p: { set: string; done: number; total: number }) => void,
    /** Encodes a set on a cache miss; e.g. a per-image store shared with simulated clients. */
    encodeImages: ImageEncoder = encodeRgbImages,
  ): Promise<HeldOutEvaluator> {
    await mkdir(cacheDir, { recursive: true });
    const context = clientModelContext(task, model.embedDim);
    const readsPixels = clientModel.inputs.includes('pixels');
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
      const pixels = readsPixels ? preprocessPixels(set.data.images, set.data.width, set.data.height, context.pixels) : undefined;
      sets.push({ name: set.name, heldOut: set.heldOut, ownerShard: set.ownerShard, features, ...(pixels ? { pixels } : {}), labels: set.data.labels });
    }
    const textEmbeddings = await model.encodeTexts(task.prompts);
    return new HeldOutEvaluator(sets, textEmbeddings, model.embedDim, clientModel, context, task.trainClassCounts, task.shotThresholds);
  }

  /** Zero-shot CLIP, the reference row, on every set at once: plain JavaScript, no backend, no yielding. */
  evaluateZeroShot(): Evaluation {
    const scores = this.sets.map((s) => this.scorePredictions(this.zeroShotOutputs(s, 0, s.labels.length).predictions, s));
    return this.summarise(scores);
  }

  /** Both heads, every set, in slices with event-loop yields in between. */
  async evaluateModel(m: ModelUnderTest): Promise<Evaluation> {
    const own: SetScore[] = [];
    const balanced: SetScore[] = [];
    for (const [i, set] of this.sets.entries()) {
      const models: (WeightSet | null)[] = !m.shardWeights
        ? [m.weights]
        : set.ownerShard !== undefined
          ? [m.shardWeights[set.ownerShard] ?? m.weights]
          : [...m.shardWeights];
      const perModel: { own: SetScore; balanced?: SetScore }[] = [];
      for (const weights of models) {
        const cached = weights && !m.classifier ? this.scoreCache.get(weights)?.get(i) : undefined;
        if (cached) {
          perModel.push({ own: cached });
          continue;
        }
        const result = await this.score(await this.outputsInSlices(weights, set), set, m.classifier);
        if (weights && !m.classifier) {
          let byModel = this.scoreCache.get(weights);
          if (!byModel) this.scoreCache.set(weights, (byModel = new Map()));
          byModel.set(i, result.own);
        }
        perModel.push(result);
      }
      own.push(meanScore(perModel.map((r) => r.own)));
      if (m.classifier) balanced.push(meanScore(perModel.map((r) => r.balanced!)));
    }
    const evaluation: Evaluation = this.summarise(own);
    if (m.classifier) evaluation.balanced = this.summarise(balanced);
    return evaluation;
  }

  private async outputsInSlices(weights: WeightSet | null, set: EncodedSet): Promise<ClientModelOutputs> {
    const n = set.labels.length;
    const featureDim = weights === null ? this.embedDim : this.clientModel.featureDim(this.modelContext);
    const features = new Float32Array(n * featureDim);
    const predictions = new Int32Array(n);
    for (let start = 0; start < n; start += this.sliceRows) {
      const end = Math.min(n, start + this.sliceRows);
      const out = await this.outputs(weights, set, start, end);
      features.set(out.features, start * featureDim);
      predictions.set(out.predictions, start);
      await yieldToEventLoop();
    }
    return { features, predictions };
  }

  /**
   * Features and own predictions of rows [start, end) of a set: through the client model, or CLIP's own
   * normalised features and nearest text prototype (`null`, zero-shot).
   */
  private async outputs(weights: WeightSet | null, set: EncodedSet, start: number, end: number): Promise<ClientModelOutputs> {
    if (weights === null) return this.zeroShotOutputs(set, start, end);
    const d = this.embedDim;
    const clipFeatures = set.features.subarray(start * d, end * d);
    const per = this.modelContext.pixels.width * this.modelContext.pixels.height * this.modelContext.pixels.channels;
    const data: ClientModelData = {
      clipFeatures,
      ...(set.pixels ? { pixels: set.pixels.subarray(start * per, end * per) } : {}),
      textEmbeddings: this.textEmbeddings,
    };
    return this.clientModel.outputs(weights, data, this.modelContext);
  }

  /** CLIP's own normalised features of rows [start, end) and their nearest text prototype. */
  private zeroShotOutputs(set: EncodedSet, start: number, end: number): ClientModelOutputs {
    const d = this.embedDim;
    const features = normaliseRows(set.features.subarray(start * d, end * d), d);
    return { features, predictions: textArgmax(features, this.textNormalised, d, this.numClasses) };
  }

  /** The model's own (and the balanced head's) scores of one set's outputs. */
  private async score(out: ClientModelOutputs, set: EncodedSet, classifier?: LinearClassifier): Promise<{ own: SetScore; balanced?: SetScore }> {
    const own = this.scorePredictions(out.predictions, set);
    return classifier ? { own, balanced: this.scorePredictions(await predictWithClassifier(classifier, out.features), set) } : { own };
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
