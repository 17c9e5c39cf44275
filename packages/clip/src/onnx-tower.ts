import { ModelLoadError } from './errors';
import { float16ArrayToFloat32 } from '@clipfed/protocol';
import type { OrtSession, OrtTensor, OrtValueMetadata } from './ort-runtime';

/*
 * One ONNX tower (image or text): which inputs and output to use, read from the session rather
 * than assumed, and a queue so that concurrent callers never run the same session twice at once
 * (onnxruntime-web rejects overlapping runs on one session).
 */

export function metadataOf(list: readonly OrtValueMetadata[] | undefined, name: string): OrtValueMetadata | undefined {
  return list?.find((m) => m.name === name);
}

/** The preferred name if the session has it, else the single candidate that `fits`, else null. */
export function pickName(
  names: readonly string[],
  metadata: readonly OrtValueMetadata[] | undefined,
  preferred: string,
  fits: (m: OrtValueMetadata | undefined) => boolean,
): string | null {
  if (names.includes(preferred)) return preferred;
  const fitting = names.filter((n) => fits(metadataOf(metadata, n)));
  if (fitting.length === 1) return fitting[0];
  if (names.length === 1) return names[0];
  return null;
}

export const hasRank = (rank: number) => (m: OrtValueMetadata | undefined) => m?.shape?.length === rank;

export class OnnxTower {
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;

  constructor(
    readonly file: string,
    readonly session: OrtSession,
    readonly outputName: string,
  ) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  input(name: string): OrtValueMetadata | undefined {
    return metadataOf(this.session.inputMetadata, name);
  }

  output(): OrtValueMetadata | undefined {
    return metadataOf(this.session.outputMetadata, this.outputName);
  }

  /** Fixed size of dimension `axis` of the output, when the graph declares one. */
  fixedOutputDim(axis: number): number | null {
    const d = this.output()?.shape?.[axis];
    return typeof d === 'number' && d > 0 ? d : null;
  }

  run(feeds: Record<string, OrtTensor>): Promise<OrtTensor> {
    if (this.released) return Promise.reject(new Error(`${this.file}: the model was disposed`));
    const result = this.queue.then(async () => {
      const out = await this.session.run(feeds, [this.outputName]);
      const t = out[this.outputName];
      if (!t) throw new Error(`${this.file}: onnxruntime returned no "${this.outputName}"`);
      return t;
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Copies a [rows, dim] float output into a fresh Float32Array, checking its shape. */
  async runEmbeddings(feeds: Record<string, OrtTensor>, rows: number, dim: number): Promise<Float32Array> {
    const t = await this.run(feeds);
    try {
      if (t.dims.length !== 2 || t.dims[0] !== rows || t.dims[1] !== dim) {
        throw new Error(`${this.file}: "${this.outputName}" has shape [${t.dims.join(', ')}], expected [${rows}, ${dim}]`);
      }
      if (t.data instanceof Float32Array) return new Float32Array(t.data);
      if (t.type === 'float16' && t.data instanceof Uint16Array) return float16ArrayToFloat32(t.data);
      throw new Error(`${this.file}: "${this.outputName}" is ${t.type}, expected float32 or float16`);
    } finally {
      t.dispose?.();
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.queue;
    await this.session.release();
  }
}

export function badLayout(file: string, problem: string, session: OrtSession): ModelLoadError {
  return new ModelLoadError(
    'bad-layout',
    `${file}: ${problem} (inputs: ${session.inputNames.join(', ') || 'none'}; outputs: ${session.outputNames.join(', ') || 'none'})`,
    file,
  );
}
