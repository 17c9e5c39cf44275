export type ModelLoadErrorCode = 'missing-file' | 'truncated' | 'bad-layout' | 'bad-config' | 'no-network';

/** A model folder (or URL) that cannot be loaded; `code` says why, `file` which file if one is to blame. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(
    readonly code: ModelLoadErrorCode,
    message: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bytes that are not a decodable PNG or JPEG (or a Blob the browser cannot decode). */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
}
