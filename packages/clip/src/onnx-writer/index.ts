export { OnnxGraphBuilder, OnnxGraphError, type OnnxGraphBuilderOptions, type OnnxDim } from './graph-builder';
export { attr, type AttributeValue, type TypedAttribute } from './attributes';
export { onnxElemType, type OnnxDType, type TensorData } from './tensors';
export { decodeModel, type DecodedModelSummary } from './decode';
