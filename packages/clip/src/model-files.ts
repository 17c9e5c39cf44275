import { ModelLoadError } from './errors';

/** Where model files come from: a folder on disk, a URL, a test double. Paths use '/'. */
export interface ModelFileReader {
  read(relativePath: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array>;
  exists(relativePath: string): Promise<boolean>;
  /** Human-readable location for error messages, e.g. the folder path or base URL. */
  describe(): string;
}

export type ModelVariant = 'fp32' | 'quantized' | 'fp16';
export const MODEL_VARIANTS: readonly ModelVariant[] = ['fp32', 'quantized', 'fp16'];

const SUFFIX: Record<ModelVariant, string> = { fp32: '', quantized: '_quantized', fp16: '_fp16' };

export const CONFIG_FILE = 'config.json';
export const PREPROCESSOR_FILE = 'preprocessor_config.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const MANIFEST_FILE = 'manifest.json';

export function towerFiles(variant: ModelVariant): { vision: string; text: string } {
  return { vision: `onnx/vision_model${SUFFIX[variant]}.onnx`, text: `onnx/text_model${SUFFIX[variant]}.onnx` };
}

export const LAYOUT_HELP = [
  'A CLIP model folder (the layout of the ONNX export of openai/clip-vit-base-patch32) holds:',
  '  onnx/vision_model.onnx   image tower: pixel_values [batch, 3, H, W] -> image_embeds [batch, d]',
  '  onnx/text_model.onnx     text tower: input_ids int64 [batch, 77] -> text_embeds [batch, d]',
  '                           (or the _quantized / _fp16 variants of both)',
  '  tokenizer.json           Hugging Face tokenizers file with the CLIP BPE vocabulary and merges',
  '  preprocessor_config.json image size, crop, mean and std',
  '  config.json              model config (projection_dim)',
  '  manifest.json            optional: {"files": {"<path>": {"bytes": n, "sha256": "..."}}}',
  'Download one with: npx tsx tools/download-clip.ts --out models/clip-vit-base-patch32',
].join('\n');

export interface ManifestEntry {
  bytes: number;
  sha256?: string;
}
export type Manifest = ReadonlyMap<string, ManifestEntry>;

export function parseManifest(json: unknown): Manifest {
  const files = (json as { files?: unknown } | null)?.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw new ModelLoadError('bad-config', `${MANIFEST_FILE}: expected {"files": {"<path>": {"bytes": n, "sha256": "..."}}}`, MANIFEST_FILE);
  }
  const out = new Map<string, ManifestEntry>();
  for (const [path, entry] of Object.entries(files)) {
    const bytes = (entry as { bytes?: unknown } | null)?.bytes;
    const sha256 = (entry as { sha256?: unknown } | null)?.sha256;
    if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0) {
      throw new ModelLoadError('bad-config', `${MANIFEST_FILE}: files["${path}"].bytes must be a non-negative integer`, MANIFEST_FILE);
    }
    if (sha256 !== undefined && (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(sha256))) {
      throw new ModelLoadError('bad-config', `${MANIFEST_FILE}: files["${path}"].sha256 must be 64 hex digits`, MANIFEST_FILE);
    }
    out.set(path, { bytes, sha256: sha256?.toLowerCase() });
  }
  return out;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/** Throws a precise 'truncated' error if `bytes` does not have the size the manifest promises. */
export function checkAgainstManifest(manifest: Manifest | null, file: string, bytes: Uint8Array, where: string): void {
  const entry = manifest?.get(file);
  if (!entry || entry.bytes === bytes.length) return;
  throw new ModelLoadError(
    'truncated',
    `${file} in ${where} is ${bytes.length} bytes (${formatBytes(bytes.length)}) but ${MANIFEST_FILE} says ${entry.bytes} ` +
      `(${formatBytes(entry.bytes)}): the file is ${bytes.length < entry.bytes ? 'truncated (an interrupted download?)' : 'not the one the manifest describes'}. Download it again.`,
    file,
  );
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('crypto.subtle is not available here (the page is not a secure context)');
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Optional, slower check: the content hash the manifest records. */
export async function checkSha256(manifest: Manifest | null, file: string, bytes: Uint8Array, where: string): Promise<void> {
  const expected = manifest?.get(file)?.sha256;
  if (!expected) return;
  const actual = await sha256Hex(bytes);
  if (actual !== expected) {
    throw new ModelLoadError('truncated', `${file} in ${where} is corrupt: sha256 ${actual}, ${MANIFEST_FILE} says ${expected}. Download it again.`, file);
  }
}

/**
 * Picks the tower files: the requested variant (which must exist), or the first variant present
 * in the order fp32, quantized, fp16. Recognises common wrong layouts to say what is off.
 */
export async function resolveTowers(reader: ModelFileReader, variant?: ModelVariant): Promise<{ variant: ModelVariant; vision: string; text: string }> {
  const candidates = variant ? [variant] : MODEL_VARIANTS;
  for (const v of candidates) {
    const files = towerFiles(v);
    const [hasVision, hasText] = await Promise.all([reader.exists(files.vision), reader.exists(files.text)]);
    if (hasVision && hasText) return { variant: v, ...files };
    if (hasVision !== hasText) {
      const missing = hasVision ? files.text : files.vision;
      throw new ModelLoadError('missing-file', `${missing} is missing in ${reader.describe()} (its partner ${hasVision ? files.vision : files.text} is there).\n${LAYOUT_HELP}`, missing);
    }
  }
  if (variant) {
    const others: ModelVariant[] = [];
    for (const v of MODEL_VARIANTS) if (v !== variant && (await reader.exists(towerFiles(v).vision))) others.push(v);
    if (others.length > 0) {
      const wanted = towerFiles(variant).vision;
      throw new ModelLoadError(
        'missing-file',
        `${wanted} is missing in ${reader.describe()}: the ${variant} variant was asked for, but the folder has only ${others.join(', ')}.`,
        wanted,
      );
    }
  }
  const misplaced = ['vision_model.onnx', 'text_model.onnx', 'model.onnx', 'onnx/model.onnx'];
  const present = (await Promise.all(misplaced.map(async (f) => ((await reader.exists(f)) ? f : null)))).filter((f): f is string => f !== null);
  if (present.length > 0) {
    throw new ModelLoadError(
      'bad-layout',
      `${reader.describe()} does not have the expected layout${variant ? ` for the ${variant} variant` : ''}: found ${present.join(', ')}, ` +
        `but the image and text towers must be separate files under onnx/ (the combined model.onnx is not supported).\n${LAYOUT_HELP}`,
    );
  }
  const wanted = towerFiles(variant ?? 'fp32').vision;
  throw new ModelLoadError('missing-file', `${wanted} is missing in ${reader.describe()}.\n${LAYOUT_HELP}`, wanted);
}
