import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Writes the built-in model in the folder layout of the public ONNX exports of
 * openai/clip-vit-base-patch32, so one loader serves both.
 */

export const TOKENIZER_SOURCE = fileURLToPath(new URL('../../packages/clip/test-fixtures/clip-tokenizer/tokenizer.json', import.meta.url));
const LICENSE_DIR = fileURLToPath(new URL('./licenses/', import.meta.url));

export interface ModelFolderContents {
  visionModel: Uint8Array;
  textModel: Uint8Array;
  preprocessorConfig: Record<string, unknown>;
  config: Record<string, unknown>;
}

export interface Manifest {
  files: Record<string, { bytes: number; sha256: string }>;
}

export function writeModelFolder(dir: string, contents: ModelFolderContents): void {
  // A rebuild replaces the folder's contents, so no stale file survives.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  mkdirSync(path.join(dir, 'licenses'), { recursive: true });
  writeFileSync(path.join(dir, 'onnx', 'vision_model.onnx'), contents.visionModel);
  writeFileSync(path.join(dir, 'onnx', 'text_model.onnx'), contents.textModel);
  copyFileSync(TOKENIZER_SOURCE, path.join(dir, 'tokenizer.json'));
  writeJson(path.join(dir, 'preprocessor_config.json'), contents.preprocessorConfig);
  writeJson(path.join(dir, 'config.json'), contents.config);
  copyFileSync(path.join(LICENSE_DIR, 'LICENSE'), path.join(dir, 'LICENSE'));
  copyFileSync(path.join(LICENSE_DIR, 'NOTICE'), path.join(dir, 'NOTICE'));
  for (const f of ['Apache-2.0.txt', 'LICENSE-CLIP.txt', 'LICENSE-nsfwjs.txt']) {
    copyFileSync(path.join(LICENSE_DIR, f), path.join(dir, 'licenses', f));
  }
  writeManifest(dir);
}

/** Re-writes config.json (e.g. with evaluation results) and refreshes the manifest. */
export function updateConfig(dir: string, update: (config: Record<string, unknown>) => void): void {
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  update(config);
  writeJson(file, config);
  writeManifest(dir);
}

export function writeManifest(dir: string): Manifest {
  const manifest: Manifest = { files: {} };
  for (const rel of listFiles(dir)) {
    if (rel === 'manifest.json') continue;
    const bytes = readFileSync(path.join(dir, rel));
    manifest.files[rel] = { bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  writeJson(path.join(dir, 'manifest.json'), manifest);
  return manifest;
}

/** Relative paths ('/'-separated) of every file under `dir`, sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(path.join(dir, rel)).isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
