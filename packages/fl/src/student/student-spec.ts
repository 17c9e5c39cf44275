import { ShapeError } from '../errors';
import { SeededRandom } from '../random';
import type { TensorSpec, WeightSet } from '../types';
import { elementCount } from '../weights';

/**
 * CLIP2FL's student network, a ResNet-8 for CIFAR-sized images (CReFF/CLIP2FL `ResNet_cifar(resnet_size=8)`
 * + `add_mlp`, algorithms.md §2.3): a 3×3 conv stem, three stages of one basic residual block each (widths
 * 16/32/64 at width 1, strides 1/2/2, a 1×1 conv + BN shortcut where the shape changes), global average
 * pooling, a linear feature layer to 512-d (the CLIP embedding size; no activation) and a linear classifier.
 */
export interface StudentConfig {
  inputHeight: number;
  inputWidth: number;
  inputChannels: number;
  numClasses: number;
  /** Channels of the three stages (reference: 16/32/64 × scaling, scaling 4 in CLIP2FL's code). */
  widths?: readonly [number, number, number];
  /** Size of the feature layer (reference: 512, CLIP ViT-B/32's embedding size). */
  featureDim?: number;
}

export const STUDENT_DEFAULT_WIDTHS = [16, 32, 64] as const;
export const STUDENT_FEATURE_DIM = 512;
/** PyTorch BatchNorm2d defaults, as in the reference. */
export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

/** Conv layers: [name, input channels, output channels, kernel size, stride]. */
export interface ConvLayer {
  name: string;
  inChannels: number;
  outChannels: number;
  kernel: 1 | 3;
  stride: 1 | 2;
}

export interface StudentBlock {
  /** Weight-name prefix, e.g. `layer2.0`. */
  prefix: string;
  conv1: ConvLayer;
  conv2: ConvLayer;
  /** 1×1 conv + BN where the block changes width or resolution; null for the identity shortcut. */
  shortcut: ConvLayer | null;
}

export interface StudentLayout {
  config: Required<StudentConfig>;
  stem: ConvLayer;
  blocks: StudentBlock[];
}

export function studentLayout(config: StudentConfig): StudentLayout {
  const full: Required<StudentConfig> = { widths: STUDENT_DEFAULT_WIDTHS, featureDim: STUDENT_FEATURE_DIM, ...config };
  for (const key of ['inputHeight', 'inputWidth', 'inputChannels', 'numClasses', 'featureDim'] as const) {
    if (!Number.isInteger(full[key]) || full[key] < 1) throw new ShapeError(`student ${key} must be a positive integer, got ${full[key]}`);
  }
  if (full.numClasses < 2) throw new ShapeError(`the student needs at least 2 classes, got ${full.numClasses}`);
  if (full.widths.length !== 3 || full.widths.some((w) => !Number.isInteger(w) || w < 1)) throw new ShapeError(`student widths must be 3 positive integers, got [${full.widths}]`);
  const stem: ConvLayer = { name: 'conv1', inChannels: full.inputChannels, outChannels: full.widths[0], kernel: 3, stride: 1 };
  let inChannels = full.widths[0];
  const blocks = full.widths.map((width, i): StudentBlock => {
    const stride: 1 | 2 = i === 0 ? 1 : 2;
    const prefix = `layer${i + 1}.0`;
    const block: StudentBlock = {
      prefix,
      conv1: { name: `${prefix}.conv1`, inChannels, outChannels: width, kernel: 3, stride },
      conv2: { name: `${prefix}.conv2`, inChannels: width, outChannels: width, kernel: 3, stride: 1 },
      shortcut: stride !== 1 || inChannels !== width ? { name: `${prefix}.shortcut.0`, inChannels, outChannels: width, kernel: 1, stride } : null,
    };
    inChannels = width;
    return block;
  });
  return { config: full, stem, blocks };
}

/** The batch-norm layer that follows a conv layer (names as PyTorch's state dict). */
export function bnName(conv: ConvLayer): string {
  return conv.name.endsWith('.shortcut.0') ? conv.name.replace(/\.0$/, '.1') : conv.name.replace(/conv(\d)$/, 'bn$1');
}

export function convLayers(layout: StudentLayout): ConvLayer[] {
  return [layout.stem, ...layout.blocks.flatMap((b) => (b.shortcut ? [b.conv1, b.conv2, b.shortcut] : [b.conv1, b.conv2]))];
}

/** Names of the tensors that are not trained by gradient but averaged by FedAvg (BN running statistics). */
export function isRunningStatistic(name: string): boolean {
  return name.endsWith('.running_mean') || name.endsWith('.running_var');
}

/**
 * Every tensor of the student's state, in a fixed order: per conv layer its kernel (HWIO flattened to
 * [k·k·Cin, Cout]) and its BN's weight, bias, running_mean and running_var; then `feature.weight` [last
 * width, featureDim] (input-major) and `feature.bias`; then `classifier.weight` [C, featureDim] and
 * `classifier.bias` [C], stored like CLIP2FL's balanced classifier R (LinearClassifier, output-major) so that R
 * can replace the student's own head by swapping these two tensors.
 */
export function studentSpec(config: StudentConfig): TensorSpec[] {
  const layout = studentLayout(config);
  const { featureDim, numClasses, widths } = layout.config;
  const spec: TensorSpec[] = [];
  for (const conv of convLayers(layout)) {
    spec.push({ name: `${conv.name}.weight`, shape: [conv.kernel * conv.kernel * conv.inChannels, conv.outChannels] });
    const bn = bnName(conv);
    for (const part of ['weight', 'bias', 'running_mean', 'running_var']) spec.push({ name: `${bn}.${part}`, shape: [conv.outChannels] });
  }
  spec.push({ name: 'feature.weight', shape: [widths[2], featureDim] }, { name: 'feature.bias', shape: [featureDim] });
  spec.push({ name: 'classifier.weight', shape: [numClasses, featureDim] }, { name: 'classifier.bias', shape: [numClasses] });
  return spec;
}

/** Trainable parameters (BN running statistics excluded): 115,514 for 28×28×1 inputs, 10 classes, width 1. */
export function studentParameterCount(config: StudentConfig): number {
  return studentSpec(config)
    .filter((t) => !isRunningStatistic(t.name))
    .reduce((s, t) => s + elementCount(t.shape), 0);
}

/**
 * The reference's init, seeded (identical on every backend): conv kernels N(0, 2/(k²·Cout)), BN γ = 1, β = 0,
 * running mean 0 and variance 1, Linear weights and biases U(±1/√fan_in) (PyTorch's default).
 */
export function initStudentWeights(config: StudentConfig, seed: number): WeightSet {
  const rng = new SeededRandom(seed);
  const layout = studentLayout(config);
  const convs = new Map(convLayers(layout).map((c) => [`${c.name}.weight`, c]));
  const bnScales = new Set(convLayers(layout).map((c) => `${bnName(c)}.weight`));
  return studentSpec(config).map(({ name, shape }) => {
    const data = new Float32Array(elementCount(shape));
    const conv = convs.get(name);
    if (conv) {
      const std = Math.sqrt(2 / (conv.kernel * conv.kernel * conv.outChannels));
      rng.fillNormal(data);
      for (let i = 0; i < data.length; i++) data[i] *= std;
    } else if (name.endsWith('.running_var') || bnScales.has(name)) {
      data.fill(1);
    } else if (name.startsWith('feature.') || name.startsWith('classifier.')) {
      const fanIn = name.startsWith('feature.') ? layout.config.widths[2] : layout.config.featureDim;
      const bound = 1 / Math.sqrt(fanIn);
      rng.fillUniform(data, -bound, bound);
    }
    return { name, shape, data };
  });
}
