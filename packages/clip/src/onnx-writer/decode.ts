import type { onnx as P } from 'onnx-proto';
import { onnx } from './proto';

export interface DecodedValueInfo {
  name: string;
  elemType: number;
  shape: (number | string)[];
}

export interface DecodedModelSummary {
  irVersion: number;
  opset: number;
  producerName: string;
  inputs: DecodedValueInfo[];
  outputs: DecodedValueInfo[];
  opTypes: string[];
  initializerCount: number;
  /** Total number of elements over all initializers. */
  parameterCount: number;
}

/** Reads back the parts of a serialised model that tools and tests want to check. */
export function decodeModel(bytes: Uint8Array): DecodedModelSummary {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph;
  if (!g) throw new Error('ModelProto has no graph');
  const info = (v: P.IValueInfoProto): DecodedValueInfo => ({
    name: v.name ?? '',
    elemType: v.type?.tensorType?.elemType ?? 0,
    shape: (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))),
  });
  const opset = m.opsetImport.find((o) => !o.domain)?.version;
  const initializers = g.initializer ?? [];
  return {
    irVersion: Number(m.irVersion),
    opset: Number(opset ?? 0),
    producerName: m.producerName,
    inputs: (g.input ?? []).map(info),
    outputs: (g.output ?? []).map(info),
    opTypes: (g.node ?? []).map((n) => n.opType ?? ''),
    initializerCount: initializers.length,
    parameterCount: initializers.reduce((s, t) => s + (t.dims ?? []).reduce((a: number, b) => a * Number(b), 1), 0),
  };
}
