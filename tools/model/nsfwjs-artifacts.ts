import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Reads the tfjs models that the `nsfwjs` npm package ships as browserify bundles
 * (`model.min.js` exports the model.json object, each `group1-shardNofM.min.js` exports the
 * shard's bytes as base64). Weights are stored uint8-quantised: value = min + scale * q.
 */

export interface QuantizedWeight {
  readonly name: string;
  readonly shape: number[];
  /** Quantised codes, one byte per element, in the tensor's row-major order. */
  readonly codes: Uint8Array;
  readonly min: number;
  readonly scale: number;
}

export interface TfjsGraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfjsAttr>;
}

export interface TfjsAttr {
  list?: { i?: string[]; s?: string[]; f?: number[] };
  s?: string;
  i?: string;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: unknown;
}

export interface NsfwjsModelArtifacts {
  /** The model.json object (topology + weightsManifest), as tfjs' IO handlers expect it. */
  readonly modelJson: {
    format?: string;
    modelTopology: { node?: TfjsGraphNode[] } & Record<string, unknown>;
    weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  } & Record<string, unknown>;
  /** All shards concatenated, in manifest order. */
  readonly weightData: Uint8Array;
  readonly weights: Map<string, QuantizedWeight>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min: number; scale: number; dtype: string };
}

export class NsfwjsModelError extends Error {
  override readonly name = 'NsfwjsModelError';
}

const require = createRequire(import.meta.url);

/** The folder of one of nsfwjs' bundled models, e.g. `mobilenet_v2_mid`. */
export function nsfwjsModelDir(modelName: string): string {
  // nsfwjs exports no package.json subpath; its CommonJS entry is dist/cjs/index.js.
  const dir = path.join(path.dirname(require.resolve('nsfwjs')), '..', 'models', modelName);
  if (!existsSync(path.join(dir, 'model.min.js'))) {
    throw new NsfwjsModelError(`nsfwjs model "${modelName}" not found at ${dir}; is the nsfwjs package installed?`);
  }
  return dir;
}

export function readNsfwjsModel(modelName: string): NsfwjsModelArtifacts {
  const dir = nsfwjsModelDir(modelName);
  const modelJson = require(path.join(dir, 'model.min.js')) as NsfwjsModelArtifacts['modelJson'];
  if (!modelJson?.weightsManifest) throw new NsfwjsModelError(`${dir}/model.min.js does not export a tfjs model.json`);

  const chunks: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const p of group.paths) {
      const base64 = require(path.join(dir, `${p}.min.js`)) as unknown;
      if (typeof base64 !== 'string') throw new NsfwjsModelError(`${dir}/${p}.min.js does not export base64 weight data`);
      chunks.push(new Uint8Array(Buffer.from(base64, 'base64')));
    }
  }
  const weightData = concat(chunks);

  const weights = new Map<string, QuantizedWeight>();
  let offset = 0;
  for (const group of modelJson.weightsManifest) {
    for (const spec of group.weights) {
      const q = spec.quantization;
      if (spec.dtype !== 'float32' || q?.dtype !== 'uint8') {
        throw new NsfwjsModelError(`weight "${spec.name}": expected uint8-quantised float32, got ${spec.dtype}/${q?.dtype}`);
      }
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (offset + size > weightData.length) throw new NsfwjsModelError(`weight "${spec.name}" runs past the end of the shards`);
      weights.set(spec.name, { name: spec.name, shape: spec.shape, codes: weightData.subarray(offset, offset + size), min: q.min, scale: q.scale });
      offset += size;
    }
  }
  if (offset !== weightData.length) {
    throw new NsfwjsModelError(`weight manifest covers ${offset} bytes but the shards hold ${weightData.length}`);
  }
  return { modelJson, weightData, weights };
}

/** The float values tfjs itself uses for a quantised weight (same arithmetic as its decoder). */
export function dequantize(w: QuantizedWeight): Float32Array {
  const out = new Float32Array(w.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = w.codes[i] * w.scale + w.min;
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
