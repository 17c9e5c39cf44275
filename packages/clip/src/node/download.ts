import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ModelLoadError } from '../errors';
import { CONFIG_FILE, MANIFEST_FILE, PREPROCESSOR_FILE, TOKENIZER_FILE, towerFiles, type ModelVariant } from '../model-files';

/** The public ONNX export of openai/clip-vit-base-patch32 on the Hugging Face hub. */
export const CLIP_B32_BASE_URL = 'https://huggingface.co/Xenova/clip-vit-base-patch32/resolve/main/';

export interface DownloadOptions {
  outDir: string;
  variant?: ModelVariant;
  baseUrl?: string;
  onProgress?: (p: { file: string; loaded: number; total: number }) => void;
  fetch?: typeof fetch;
}

export interface DownloadedFile {
  bytes: number;
  sha256: string;
}

export function filesToDownload(variant: ModelVariant): string[] {
  const towers = towerFiles(variant);
  return [CONFIG_FILE, PREPROCESSOR_FILE, TOKENIZER_FILE, towers.vision, towers.text];
}

/** Streams one URL to `target` (through a .part file), hashing on the way. */
async function downloadOne(url: string, target: string, file: string, opts: DownloadOptions): Promise<DownloadedFile> {
  const fetchFn = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new ModelLoadError(
      'no-network',
      `no network: could not reach ${new URL(url).host} (${detail}). This command needs internet access; ` +
        'on a machine without it, copy a downloaded model folder over and point the server at it.',
      file,
      { cause: e },
    );
  }
  if (!res.ok || !res.body) {
    const code = res.status === 404 ? 'missing-file' : 'no-network';
    throw new ModelLoadError(code, `${url} answered HTTP ${res.status} ${res.statusText}`.trim(), file);
  }
  const total = Number(res.headers.get('content-length')) || 0;
  const hash = createHash('sha256');
  const part = `${target}.part`;
  await mkdir(dirname(target), { recursive: true });
  const out = createWriteStream(part);
  let loaded = 0;
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      loaded += value.length;
      if (!out.write(value)) await new Promise<void>((r) => out.once('drain', () => r()));
      opts.onProgress?.({ file, loaded, total: Math.max(total, loaded) });
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } catch (e) {
    out.destroy();
    await rm(part, { force: true });
    throw new ModelLoadError('no-network', `the download of ${file} broke off after ${loaded} bytes: ${(e as Error).message}`, file, { cause: e });
  }
  if (total && loaded !== total) {
    await rm(part, { force: true });
    throw new ModelLoadError('truncated', `${file}: got ${loaded} of ${total} bytes`, file);
  }
  await rename(part, target);
  return { bytes: loaded, sha256: hash.digest('hex') };
}

/**
 * Downloads the CLIP model files into `outDir` in the layout the loader expects, and writes
 * manifest.json (sizes and sha256) so a later load detects truncated or damaged files.
 */
export async function downloadClipModel(opts: DownloadOptions): Promise<Record<string, DownloadedFile>> {
  const base = opts.baseUrl ?? CLIP_B32_BASE_URL;
  const files: Record<string, DownloadedFile> = {};
  for (const file of filesToDownload(opts.variant ?? 'fp32')) {
    files[file] = await downloadOne(new URL(file, base.endsWith('/') ? base : `${base}/`).href, join(opts.outDir, file), file, opts);
  }
  await writeFile(join(opts.outDir, MANIFEST_FILE), `${JSON.stringify({ source: base, files }, null, 2)}\n`);
  return files;
}
