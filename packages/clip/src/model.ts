import { ModelLoadError } from './errors';
import { float32ArrayToFloat16 } from '@clipfed/protocol';
import type { RgbaImage } from './image/rgba-image';
import {
  checkAgainstManifest,
  checkSha256,
  CONFIG_FILE,
  LAYOUT_HELP,
  MANIFEST_FILE,
  parseManifest,
  PREPROCESSOR_FILE,
  resolveTowers,
  TOKENIZER_FILE,
  type Manifest,
  type ModelFileReader,
  type ModelVariant,
} from './model-files';
import { badLayout, hasRank, OnnxTower, pickName } from './onnx-tower';
import type { OrtRuntime, OrtSession, OrtTensor } from './ort-runtime';
import { preprocessImage, type PreprocessOptions } from './preprocess';
import { parsePreprocessorConfig, PreprocessorConfigError, type PreprocessorConfig } from './preprocessor-config';
import { CLIP_CONTEXT_LENGTH, ClipTokenizer, TokenizerFormatError } from './tokenizer';

export interface ClipLoadProgress {
  file: string;
  loaded: number;
  total: number;
}

export interface ClipModelLoadOptions {
  /** onnxruntime execution providers in order of preference, e.g. ['webgpu', 'wasm'] or ['cpu']. */
  executionProviders?: string[];
  /** Which ONNX files to use. Default: the first present of fp32, quantized, fp16. */
  variant?: ModelVariant;
  onProgress?: (p: ClipLoadProgress) => void;
  /** Also check the sha256 sums of manifest.json (sizes are always checked). Default false. */
  verifyChecksums?: boolean;
}

export interface ClipModelInfo {
  source: string;
  variant: ModelVariant;
  visionFile: string;
  textFile: string;
  embedDim: number;
  imageSize: { height: number; width: number };
  contextLength: number;
  executionProviders: string[] | null;
}

interface LoadContext {
  reader: ModelFileReader;
  where: string;
  manifest: Manifest | null;
  opts: ClipModelLoadOptions;
}

async function readChecked(ctx: LoadContext, file: string): Promise<Uint8Array> {
  const onProgress = ctx.opts.onProgress;
  const bytes = await ctx.reader.read(file, onProgress ? (loaded, total) => onProgress({ file, loaded, total }) : undefined);
  checkAgainstManifest(ctx.manifest, file, bytes, ctx.where);
  if (ctx.opts.verifyChecksums) await checkSha256(ctx.manifest, file, bytes, ctx.where);
  return bytes;
}

async function requireFile(ctx: LoadContext, file: string): Promise<void> {
  if (!(await ctx.reader.exists(file))) {
    throw new ModelLoadError('missing-file', `${file} is missing in ${ctx.where}.\n${LAYOUT_HELP}`, file);
  }
}

function parseJson(file: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (e) {
    throw new ModelLoadError('bad-config', `${file} is not valid JSON (${(e as Error).message})`, file, { cause: e });
  }
}

async function createSession(ctx: LoadContext, ort: OrtRuntime, file: string, bytes: Uint8Array): Promise<OrtSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      ...(ctx.opts.executionProviders ? { executionProviders: ctx.opts.executionProviders } : {}),
      graphOptimizationLevel: 'all',
      // Errors only: at "warning" ORT reports, through console.error, that shape ops run on the CPU beside WebGPU,
      // which is by design and would read as a failure on the volunteer page.
      logSeverityLevel: 3,
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (bytes.length === 0 || /protobuf|parsing failed|model data pointer is null/i.test(msg)) {
      throw new ModelLoadError(
        'truncated',
        `${file} in ${ctx.where} is truncated or corrupt: onnxruntime could not parse it (${msg}). ` +
          `It is ${bytes.length} bytes; download it again${ctx.manifest ? '' : ' (a manifest.json with byte sizes would pinpoint the damage)'}.`,
        file,
        { cause: e },
      );
    }
    throw new Error(`onnxruntime could not create a session for ${file} in ${ctx.where}: ${msg}`, { cause: e });
  }
}

// Parsing tokenizer.json takes a few hundred ms; processes that load the same model several
// times (simulated clients, tests) reuse the last tokenizer when the bytes are identical.
let lastTokenizer: { key: string; bytes: Uint8Array; tokenizer: ClipTokenizer } | null = null;

function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return `${bytes.length}:${(h >>> 0).toString(16)}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sharedTokenizer(bytes: Uint8Array): ClipTokenizer {
  const key = fnv1a(bytes);
  if (lastTokenizer?.key === key && sameBytes(lastTokenizer.bytes, bytes)) return lastTokenizer.tokenizer;
  const tokenizer = ClipTokenizer.fromTokenizerJson(parseJson(TOKENIZER_FILE, bytes));
  lastTokenizer = { key, bytes, tokenizer };
  return tokenizer;
}

interface VisionIo {
  pixelName: string;
  pixelType: 'float32' | 'float16';
}
interface TextIo {
  idsName: string;
  idsType: 'int64' | 'int32';
  maskName: string | null;
  maskType: 'int64' | 'int32';
  contextLength: number;
}

function visionIo(tower: OnnxTower, session: OrtSession, pre: PreprocessorConfig, preFile: string): VisionIo {
  const pixelName = pickName(session.inputNames, session.inputMetadata, 'pixel_values', hasRank(4));
  if (!pixelName) throw badLayout(tower.file, 'no pixel input (expected "pixel_values" [batch, 3, H, W])', session);
  const extra = session.inputNames.filter((n) => n !== pixelName);
  if (extra.length) throw badLayout(tower.file, `the image tower needs inputs this loader cannot supply: ${extra.join(', ')}`, session);
  const meta = tower.input(pixelName);
  if (meta?.type && meta.type !== 'float32' && meta.type !== 'float16') {
    throw badLayout(tower.file, `"${pixelName}" is ${meta.type}, expected float32 or float16`, session);
  }
  const shape = meta?.shape;
  if (shape && shape.length === 4) {
    const [, c, h, w] = shape;
    const size = pre.inputSize!;
    if ((typeof c === 'number' && c !== 3) || (typeof h === 'number' && h !== size.height) || (typeof w === 'number' && w !== size.width)) {
      throw new ModelLoadError(
        'bad-config',
        `${preFile} produces 3x${size.height}x${size.width} pixels but ${tower.file} expects "${pixelName}" of shape [${shape.join(', ')}]`,
        preFile,
      );
    }
  }
  return { pixelName, pixelType: meta?.type === 'float16' ? 'float16' : 'float32' };
}

function textIo(tower: OnnxTower, session: OrtSession): TextIo {
  const names = session.inputNames;
  const idsName = pickName(names.filter((n) => n !== 'attention_mask'), session.inputMetadata, 'input_ids', hasRank(2));
  if (!idsName) throw badLayout(tower.file, 'no token input (expected "input_ids" int64 [batch, 77])', session);
  const maskName = names.includes('attention_mask') ? 'attention_mask' : null;
  const extra = names.filter((n) => n !== idsName && n !== maskName);
  if (extra.length) throw badLayout(tower.file, `the text tower needs inputs this loader cannot supply: ${extra.join(', ')}`, session);
  const intType = (name: string): 'int64' | 'int32' => {
    const t = tower.input(name)?.type;
    if (t === undefined || t === 'int64') return 'int64';
    if (t === 'int32') return 'int32';
    throw badLayout(tower.file, `"${name}" is ${t}, expected int64 or int32`, session);
  };
  const seq = tower.input(idsName)?.shape?.[1];
  return {
    idsName,
    idsType: intType(idsName),
    maskName,
    maskType: maskName ? intType(maskName) : 'int64',
    contextLength: typeof seq === 'number' && seq > 0 ? seq : CLIP_CONTEXT_LENGTH,
  };
}

function pickEmbeddingOutput(file: string, session: OrtSession, preferred: string): string {
  const name = pickName(session.outputNames, session.outputMetadata, preferred, hasRank(2));
  if (!name) throw badLayout(file, `cannot tell which output is the embedding (expected "${preferred}" or a single [batch, d] output)`, session);
  return name;
}

function embedDimOf(vision: OnnxTower, text: OnnxTower, config: unknown): number | null {
  const fromGraph = [vision.fixedOutputDim(1), text.fixedOutputDim(1)].filter((d): d is number => d !== null);
  if (fromGraph.length === 2 && fromGraph[0] !== fromGraph[1]) {
    throw new ModelLoadError('bad-layout', `${vision.file} gives ${fromGraph[0]}-d embeddings but ${text.file} gives ${fromGraph[1]}-d`);
  }
  const projection = (config as { projection_dim?: unknown } | null)?.projection_dim;
  const fromConfig = typeof projection === 'number' && Number.isInteger(projection) && projection > 0 ? projection : null;
  if (fromGraph.length && fromConfig !== null && fromConfig !== fromGraph[0]) {
    throw new ModelLoadError('bad-config', `${CONFIG_FILE} says projection_dim ${fromConfig} but the ONNX towers give ${fromGraph[0]}-d embeddings`, CONFIG_FILE);
  }
  return fromGraph[0] ?? fromConfig;
}

/**
 * CLIP's two towers over onnxruntime, with the tokenizer and image preprocessing of the same
 * model folder. Embeddings are returned raw (not L2-normalised), one row per input.
 */
export class ClipModel {
  private disposed = false;

  private constructor(
    private readonly ort: OrtRuntime,
    private readonly vision: OnnxTower,
    private readonly visionIo: VisionIo,
    private readonly text: OnnxTower,
    private readonly textIo: TextIo,
    readonly embedDim: number,
    readonly tokenizer: ClipTokenizer,
    readonly preprocessor: PreprocessorConfig,
    readonly config: unknown,
    readonly info: ClipModelInfo,
  ) {}

  static async load(reader: ModelFileReader, ort: OrtRuntime, opts: ClipModelLoadOptions = {}): Promise<ClipModel> {
    const ctx: LoadContext = { reader, where: reader.describe(), manifest: null, opts };
    if (await reader.exists(MANIFEST_FILE)) ctx.manifest = parseManifest(parseJson(MANIFEST_FILE, await reader.read(MANIFEST_FILE)));
    const towers = await resolveTowers(reader, opts.variant);
    for (const f of [CONFIG_FILE, PREPROCESSOR_FILE, TOKENIZER_FILE]) await requireFile(ctx, f);

    const config = parseJson(CONFIG_FILE, await readChecked(ctx, CONFIG_FILE));
    let preprocessor: PreprocessorConfig;
    try {
      preprocessor = parsePreprocessorConfig(parseJson(PREPROCESSOR_FILE, await readChecked(ctx, PREPROCESSOR_FILE)));
    } catch (e) {
      if (e instanceof PreprocessorConfigError) throw new ModelLoadError('bad-config', e.message, PREPROCESSOR_FILE, { cause: e });
      throw e;
    }
    if (!preprocessor.inputSize) {
      throw new ModelLoadError('bad-config', `${PREPROCESSOR_FILE} must give a fixed input size (a crop_size, or an exact {height, width} size)`, PREPROCESSOR_FILE);
    }
    let tokenizer: ClipTokenizer;
    try {
      tokenizer = sharedTokenizer(await readChecked(ctx, TOKENIZER_FILE));
    } catch (e) {
      if (e instanceof TokenizerFormatError) throw new ModelLoadError('bad-config', e.message, TOKENIZER_FILE, { cause: e });
      throw e;
    }

    // One tower at a time keeps peak memory to one model's bytes plus one session.
    const visionSession = await createSession(ctx, ort, towers.vision, await readChecked(ctx, towers.vision));
    let textSession: OrtSession | null = null;
    try {
      textSession = await createSession(ctx, ort, towers.text, await readChecked(ctx, towers.text));
      const vision = new OnnxTower(towers.vision, visionSession, pickEmbeddingOutput(towers.vision, visionSession, 'image_embeds'));
      const text = new OnnxTower(towers.text, textSession, pickEmbeddingOutput(towers.text, textSession, 'text_embeds'));
      const vIo = visionIo(vision, visionSession, preprocessor, PREPROCESSOR_FILE);
      const tIo = textIo(text, textSession);
      let embedDim = embedDimOf(vision, text, config);
      if (embedDim === null) {
        // Neither the graph nor config.json says: ask the text tower once.
        const probe = await text.run(ClipModel.textFeeds(ort, tIo, tokenizer, ['']));
        embedDim = probe.dims[1];
        probe.dispose?.();
      }
      const info: ClipModelInfo = {
        source: ctx.where,
        variant: towers.variant,
        visionFile: towers.vision,
        textFile: towers.text,
        embedDim,
        imageSize: { ...preprocessor.inputSize },
        contextLength: tIo.contextLength,
        executionProviders: opts.executionProviders ?? null,
      };
      return new ClipModel(ort, vision, vIo, text, tIo, embedDim, tokenizer, preprocessor, config, info);
    } catch (e) {
      await visionSession.release().catch(() => undefined);
      await textSession?.release().catch(() => undefined);
      throw e;
    }
  }

  /** CHW float32 [3, H, W] for one image, ready to be packed into `encodeImages`' batch. */
  preprocess(img: RgbaImage, opts?: PreprocessOptions): Float32Array {
    return preprocessImage(img, this.preprocessor, opts);
  }

  /** Image embeddings [count, embedDim] for `count` preprocessed images packed back to back. */
  async encodeImages(pixels: Float32Array, count: number): Promise<Float32Array> {
    this.assertLive();
    const { height, width } = this.info.imageSize;
    const per = 3 * height * width;
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    if (pixels.length !== count * per) {
      throw new RangeError(`pixels holds ${pixels.length} floats; ${count} images of 3x${height}x${width} need ${count * per}`);
    }
    if (count === 0) return new Float32Array(0);
    const dims = [count, 3, height, width];
    const tensor =
      this.visionIo.pixelType === 'float16'
        ? new this.ort.Tensor('float16', float32ArrayToFloat16(pixels), dims)
        : new this.ort.Tensor('float32', pixels, dims);
    return this.vision.runEmbeddings({ [this.visionIo.pixelName]: tensor }, count, this.embedDim);
  }

  /** Preprocesses and encodes images in one call: [images.length, embedDim]. */
  async encodeRgbaImages(images: readonly RgbaImage[], opts?: PreprocessOptions): Promise<Float32Array> {
    const { height, width } = this.info.imageSize;
    const per = 3 * height * width;
    const pixels = new Float32Array(images.length * per);
    images.forEach((img, i) => pixels.set(this.preprocess(img, opts), i * per));
    return this.encodeImages(pixels, images.length);
  }

  /** Text embeddings [texts.length, embedDim]. */
  async encodeTexts(texts: readonly string[]): Promise<Float32Array> {
    this.assertLive();
    if (texts.length === 0) return new Float32Array(0);
    return this.text.runEmbeddings(ClipModel.textFeeds(this.ort, this.textIo, this.tokenizer, texts), texts.length, this.embedDim);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.vision.release(), this.text.release()]);
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('ClipModel was disposed');
  }

  private static textFeeds(ort: OrtRuntime, io: TextIo, tokenizer: ClipTokenizer, texts: readonly string[]): Record<string, OrtTensor> {
    const n = texts.length;
    const ctxLen = io.contextLength;
    const ids = tokenizer.tokenizeBatch(texts, ctxLen);
    const dims = [n, ctxLen];
    const feeds: Record<string, OrtTensor> = {
      [io.idsName]: io.idsType === 'int64' ? new ort.Tensor('int64', ids, dims) : new ort.Tensor('int32', Int32Array.from(ids, Number), dims),
    };
    if (io.maskName) {
      // 1 up to and including the EOT token, 0 on the padding after it.
      const mask = new Int32Array(n * ctxLen);
      for (let r = 0; r < n; r++) {
        for (let i = 0; i < ctxLen; i++) {
          mask[r * ctxLen + i] = 1;
          if (Number(ids[r * ctxLen + i]) === tokenizer.eotId) break;
        }
      }
      feeds[io.maskName] = io.maskType === 'int32' ? new ort.Tensor('int32', mask, dims) : new ort.Tensor('int64', BigInt64Array.from(mask, (v) => BigInt(v)), dims);
    }
    return feeds;
  }
}
