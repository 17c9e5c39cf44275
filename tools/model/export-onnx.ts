import { OnnxGraphBuilder } from '@clipfed/clip/onnx-writer';
import { backboneArtifacts } from './backbone';
import type { ImageHead } from './image-tower';
import { emitMobilenetBackbone, uint8Of } from './mobilenet-to-onnx';
import type { TextTower } from './text-tower';

export const EMBED_DIM = 512;
export const CONTEXT_LENGTH = 77;

/** `pixel_values` [batch, 3, S, S] -> `image_embeds` [batch, 512]: backbone and head in one graph. */
export function buildVisionModel(imageSize: number, head: ImageHead, outputScale: number): Uint8Array {
  const b = new OnnxGraphBuilder({ opset: 17, graphName: 'clipfed_builtin_vision', producerName: 'clipfed build-model' });
  b.input('pixel_values', 'float32', ['batch', 3, imageSize, imageSize]);
  const info = emitMobilenetBackbone(b, backboneArtifacts(), { input: 'pixel_values', imageSize, output: 'backbone_features' });
  head.exportOnnx(b, info.output, 'image_embeds', outputScale);
  b.output('image_embeds', 'float32', ['batch', EMBED_DIM]);
  return uint8Of(b).toBytes();
}

/** `input_ids` [batch, 77] int64 -> `text_embeds` [batch, 512]. */
export function buildTextModel(tower: TextTower, outputScale: number): Uint8Array {
  const b = new OnnxGraphBuilder({ opset: 17, graphName: 'clipfed_builtin_text', producerName: 'clipfed build-model' });
  b.input('input_ids', 'int64', ['batch', CONTEXT_LENGTH]);
  tower.exportOnnx(b, 'input_ids', 'text_embeds', outputScale);
  b.output('text_embeds', 'float32', ['batch', EMBED_DIM]);
  return b.toBytes();
}
