import * as ort from 'onnxruntime-node';
import { ClipModel, type ClipModelLoadOptions } from './model';
import { FsModelFileReader } from './node/fs-reader';
import type { OrtRuntime } from './ort-runtime';

export { FsModelFileReader } from './node/fs-reader';
export { decodeImageBytes, decodeImageFile } from './node/decode-image';

/** onnxruntime-node as the package's runtime interface. */
export const nodeOrt: OrtRuntime = ort;

/** Loads a CLIP model folder with onnxruntime-node (CPU execution provider by default). */
export function loadClipModelFromDir(dir: string, opts: ClipModelLoadOptions = {}): Promise<ClipModel> {
  return ClipModel.load(new FsModelFileReader(dir), nodeOrt, { executionProviders: ['cpu'], ...opts });
}
export { downloadClipModel, filesToDownload, CLIP_B32_BASE_URL, type DownloadOptions, type DownloadedFile } from './node/download';
