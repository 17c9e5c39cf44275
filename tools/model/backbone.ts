import { OnnxGraphBuilder } from '@clipfed/clip/onnx-writer';
import { emitMobilenetBackbone, uint8Of } from './mobilenet-to-onnx';
import { readNsfwjsModel, type NsfwjsModelArtifacts } from './nsfwjs-artifacts';

/** The nsfwjs model the image tower starts from: a MobileNetV2-1.4 (TF-Hub) graph model. */
export const BACKBONE_MODEL = 'mobilenet_v2_mid';
export const BACKBONE_CHANNELS = 1792;

let cached: NsfwjsModelArtifacts | null = null;
export function backboneArtifacts(): NsfwjsModelArtifacts {
  cached ??= readNsfwjsModel(BACKBONE_MODEL);
  return cached;
}

/**
 * An ONNX graph `pixel_values` [batch, 3, S, S] -> `features` [batch, 1792]: the frozen backbone
 * alone, used to precompute training features.
 */
export function buildBackboneOnnx(imageSize: number): Uint8Array {
  const b = new OnnxGraphBuilder({ opset: 17, graphName: 'mobilenet_v2_features' });
  b.input('pixel_values', 'float32', ['batch', 3, imageSize, imageSize]);
  const info = emitMobilenetBackbone(b, backboneArtifacts(), { input: 'pixel_values', imageSize, output: 'features' });
  b.output('features', 'float32', ['batch', info.channels]);
  return uint8Of(b).toBytes();
}
