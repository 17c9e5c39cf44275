import type { OnnxGraphBuilder } from '@clipfed/clip/onnx-writer';
import { dequantize, type NsfwjsModelArtifacts, type QuantizedWeight, type TfjsAttr, type TfjsGraphNode } from './nsfwjs-artifacts';
import { Uint8Initializers } from './uint8-weights';

/**
 * Translates the MobileNetV2 tfjs graph model shipped by nsfwjs (`mobilenet_v2_mid`: a TF-Hub
 * MobileNetV2-1.4 with batch norm folded into the convolutions) into ONNX nodes, NHWC -> NCHW,
 * cut after the last 1x1 convolution and globally average-pooled: [batch, 1792] features.
 *
 * The tfjs graph starts with `x * 2 - 1` on [0,1] pixels; the ONNX graph leaves that to the
 * image preprocessor (mean 0.5, std 0.5 after rescaling by 1/255 gives exactly 2x/255 - 1).
 */

export const MOBILENET_FEATURE_NODE = 'MobilenetV2/Conv_1/Relu6';

export interface BackboneOptions {
  /** Name of the graph input holding normalised NCHW pixels in [-1, 1]. */
  readonly input: string;
  /** Square input side in pixels (224 is what the network was trained at). */
  readonly imageSize: number;
  /** Name for the pooled [batch, channels] output tensor. */
  readonly output: string;
}

export interface BackboneInfo {
  readonly output: string;
  readonly channels: number;
  readonly parameterCount: number;
  readonly convCount: number;
}

export class MobilenetConversionError extends Error {
  override readonly name = 'MobilenetConversionError';
}

const PREFIX = /^.*\/predict\//;
const shortName = (n: string): string => n.replace(PREFIX, '');
const decodeString = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

interface Tracked {
  name: string;
  channels: number;
  size: number;
}

export function emitMobilenetBackbone(builder: OnnxGraphBuilder, art: NsfwjsModelArtifacts, opts: BackboneOptions): BackboneInfo {
  const nodes = art.modelJson.modelTopology.node;
  if (!nodes) throw new MobilenetConversionError('not a tfjs graph model (no modelTopology.node)');
  const u8 = uint8Of(builder);
  const values = new Map<string, Tracked>();
  let parameterCount = 0;
  let convCount = 0;

  const weight = (name: string): QuantizedWeight => {
    const w = art.weights.get(name);
    if (!w) throw new MobilenetConversionError(`weight "${name}" is missing from the manifest`);
    return w;
  };
  const relu6Bounds = {
    min: builder.initializer('relu6_min', new Float32Array([0]), []),
    max: builder.initializer('relu6_max', new Float32Array([6]), []),
  };

  for (const node of nodes) {
    const short = shortName(node.name);
    const inputs = node.input ?? [];
    switch (node.op) {
      case 'Const':
      case 'Placeholder':
      case 'Mul':
        continue;
      case 'Sub':
        if (short !== 'hub_input/Sub') throw new MobilenetConversionError(`unexpected Sub node ${short}`);
        checkHubInput(art, node);
        values.set(node.name, { name: opts.input, channels: 3, size: opts.imageSize });
        continue;
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative': {
        const x = tracked(values, inputs[0], short);
        const kernel = weight(inputs[1]);
        const bias = weight(inputs[2]);
        const depthwise = node.op === 'FusedDepthwiseConv2dNative';
        const conv = convolution(builder, u8, x, kernel, bias, node.attr ?? {}, depthwise, sanitize(short));
        parameterCount += kernel.codes.length + bias.codes.length;
        convCount++;
        const fused = (node.attr?.fused_ops?.list?.s ?? []).map(decodeString);
        let out = conv.name;
        if (fused.includes('Relu6')) {
          out = builder.uniqueName(`${sanitize(short)}_relu6`);
          builder.node('Clip', [conv.name, relu6Bounds.min, relu6Bounds.max], [out]);
        }
        const unknown = fused.filter((f) => f !== 'BiasAdd' && f !== 'Relu6');
        if (unknown.length) throw new MobilenetConversionError(`${short}: unsupported fused ops ${unknown.join(', ')}`);
        values.set(node.name, { ...conv, name: out });
        if (short === MOBILENET_FEATURE_NODE) {
          const pooled = builder.uniqueName('backbone_pooled');
          builder.node('GlobalAveragePool', [out], [pooled]);
          builder.node('Flatten', [pooled], [opts.output], { axis: 1 });
          return { output: opts.output, channels: conv.channels, parameterCount, convCount };
        }
        continue;
      }
      case 'AddV2': {
        const a = tracked(values, inputs[0], short);
        const b = tracked(values, inputs[1], short);
        if (a.channels !== b.channels || a.size !== b.size) throw new MobilenetConversionError(`${short}: residual shapes differ`);
        const out = builder.uniqueName(sanitize(short));
        builder.node('Add', [a.name, b.name], [out]);
        values.set(node.name, { ...a, name: out });
        continue;
      }
      default:
        throw new MobilenetConversionError(`unsupported op ${node.op} at ${short} (before ${MOBILENET_FEATURE_NODE})`);
    }
  }
  throw new MobilenetConversionError(`node ${MOBILENET_FEATURE_NODE} not found`);
}

/** The graph's own input scaling must be x * 2 - 1, which the preprocessor config reproduces. */
function checkHubInput(art: NsfwjsModelArtifacts, sub: TfjsGraphNode): void {
  const constant = (suffix: string): number => {
    const w = [...art.weights.values()].find((v) => v.name.endsWith(suffix));
    if (!w) throw new MobilenetConversionError(`constant ${suffix} not found`);
    return dequantize(w)[0];
  };
  const mul = constant('hub_input/Mul/y');
  const sub1 = constant('hub_input/Sub/y');
  if (mul !== 2 || sub1 !== 1) {
    throw new MobilenetConversionError(`${shortName(sub.name)}: expected input scaling x*2-1, found x*${mul}-${sub1}`);
  }
}

function tracked(values: Map<string, Tracked>, name: string | undefined, at: string): Tracked {
  const v = name === undefined ? undefined : values.get(name);
  if (!v) throw new MobilenetConversionError(`${at}: input ${name} was not produced by a converted node`);
  return v;
}

function ints(a: TfjsAttr | undefined): number[] {
  return (a?.list?.i ?? []).map(Number);
}

/** TF 'SAME' padding: total = max((out-1)*stride + k - in, 0), the odd pixel goes at the end. */
function samePads(size: number, k: number, stride: number): { out: number; begin: number; end: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  const begin = Math.floor(total / 2);
  return { out, begin, end: total - begin };
}

function convolution(
  b: OnnxGraphBuilder,
  u8: Uint8Initializers,
  x: Tracked,
  kernel: QuantizedWeight,
  bias: QuantizedWeight,
  attrs: Record<string, TfjsAttr>,
  depthwise: boolean,
  name: string,
): Tracked {
  const format = attrs.data_format?.s ? decodeString(attrs.data_format.s) : 'NHWC';
  const padding = attrs.padding?.s ? decodeString(attrs.padding.s) : '';
  const strides = ints(attrs.strides);
  const dilations = ints(attrs.dilations);
  if (format !== 'NHWC') throw new MobilenetConversionError(`${name}: data_format ${format} not supported`);
  if (strides[1] !== strides[2]) throw new MobilenetConversionError(`${name}: non-square strides`);
  if (dilations.some((d) => d !== 1)) throw new MobilenetConversionError(`${name}: dilated convolutions not supported`);
  const stride = strides[1];
  const [kh, kw, cin, last] = kernel.shape;
  if (kh !== kw) throw new MobilenetConversionError(`${name}: non-square kernel`);
  if (cin !== x.channels) throw new MobilenetConversionError(`${name}: kernel expects ${cin} channels, input has ${x.channels}`);
  if (depthwise && last !== 1) throw new MobilenetConversionError(`${name}: depth multiplier ${last} not supported`);
  const cout = depthwise ? cin : last;

  let pads: number[];
  let out: number;
  if (padding === 'SAME') {
    const p = samePads(x.size, kh, stride);
    pads = [p.begin, p.begin, p.end, p.end];
    out = p.out;
  } else if (padding === 'VALID') {
    pads = [0, 0, 0, 0];
    out = Math.floor((x.size - kh) / stride) + 1;
  } else {
    throw new MobilenetConversionError(`${name}: padding ${padding} not supported`);
  }

  // TF [kh, kw, cin, cout] -> ONNX [cout, cin/group, kh, kw]; depthwise [kh, kw, c, 1] -> [c, 1, kh, kw].
  const codes = new Uint8Array(kernel.codes.length);
  const perOut = depthwise ? 1 : cin;
  for (let y = 0; y < kh; y++) {
    for (let xk = 0; xk < kw; xk++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < last; o++) {
          const src = ((y * kw + xk) * cin + i) * last + o;
          const oc = depthwise ? i : o;
          const ic = depthwise ? 0 : i;
          codes[((oc * perOut + ic) * kh + y) * kw + xk] = kernel.codes[src];
        }
      }
    }
  }
  const w = u8.dequantized(`${name}_W`, codes, [cout, perOut, kh, kw], kernel.scale, kernel.min);
  const bi = b.initializer(`${name}_B`, dequantize(bias), [cout]);
  const y = b.uniqueName(`${name}_conv`);
  b.node('Conv', [x.name, w, bi], [y], {
    kernel_shape: [kh, kw],
    strides: [stride, stride],
    pads,
    group: depthwise ? cin : 1,
  });
  return { name: y, channels: cout, size: out };
}

function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9_]+/g, '_');
}

// One Uint8Initializers per builder, so a caller that serialises through it gets every tensor.
const uint8Registry = new WeakMap<OnnxGraphBuilder, Uint8Initializers>();
export function uint8Of(builder: OnnxGraphBuilder): Uint8Initializers {
  let u = uint8Registry.get(builder);
  if (!u) {
    u = new Uint8Initializers(builder);
    uint8Registry.set(builder, u);
  }
  return u;
}
