// onnx-proto is CommonJS (`module.exports = $root`), so the namespace comes through the default
// import, which works in Node ESM and in Vite's pre-bundled browser build alike.
// Types come from `import type { onnx } from 'onnx-proto'` where needed.
import onnxProto from 'onnx-proto';
import type { onnx as OnnxNamespace } from 'onnx-proto';

export const onnx: typeof OnnxNamespace = onnxProto.onnx;
