import type { onnx as P } from 'onnx-proto';
import { attributeProto, type AttributeValue } from './attributes';
import { onnx } from './proto';
import { onnxElemType, tensorProto, type OnnxDType, type TensorData } from './tensors';

export interface OnnxGraphBuilderOptions {
  /** Default-domain opset. Default 17 (ReduceMean/ReduceL2 still take `axes` as an attribute). */
  opset?: number;
  producerName?: string;
  graphName?: string;
  /** Extra opset imports, e.g. `{ 'com.microsoft': 1 }` for onnxruntime contrib ops. */
  extraOpsets?: Record<string, number>;
}

/** A dimension: a number is fixed, a string is a symbolic dim such as 'batch'. */
export type OnnxDim = number | string;

export class OnnxGraphError extends Error {
  override readonly name = 'OnnxGraphError';
}

// onnx-proto 8 carries ONNX 1.10's schema; IR version 8 is what ONNX 1.10-1.12 write and what
// onnxruntime accepts together with opset 17.
const IR_VERSION = 8;

function valueInfo(name: string, dtype: OnnxDType, shape: readonly OnnxDim[]): P.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxElemType(dtype),
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/**
 * Builds an ONNX ModelProto node by node. Nodes must be added in topological order (each input
 * defined by a graph input, an initializer or an earlier node); `toBytes()` checks this and
 * names the first offending node. An empty string as a node input means "optional input omitted".
 */
export class OnnxGraphBuilder {
  private readonly opset: number;
  private readonly producerName: string;
  private readonly graphName: string;
  private readonly extraOpsets: Record<string, number>;
  private readonly inputs: P.IValueInfoProto[] = [];
  private readonly outputs: P.IValueInfoProto[] = [];
  private readonly initializers: P.ITensorProto[] = [];
  private readonly nodes: P.INodeProto[] = [];
  private readonly names = new Set<string>();
  private nodeCounter = 0;
  private uniqueCounter = 0;

  constructor(opts: OnnxGraphBuilderOptions = {}) {
    this.opset = opts.opset ?? 17;
    this.producerName = opts.producerName ?? 'clipfed-onnx-writer';
    this.graphName = opts.graphName ?? 'graph';
    this.extraOpsets = opts.extraOpsets ?? {};
  }

  input(name: string, dtype: OnnxDType, shape: OnnxDim[]): this {
    this.claim(name, 'graph input');
    this.inputs.push(valueInfo(name, dtype, shape));
    return this;
  }

  output(name: string, dtype: OnnxDType, shape: OnnxDim[]): this {
    if (this.outputs.some((o) => o.name === name)) throw new OnnxGraphError(`graph output "${name}" declared twice`);
    this.outputs.push(valueInfo(name, dtype, shape));
    return this;
  }

  /** Adds a constant weight tensor; returns its name so it can be used inline as a node input. */
  initializer(name: string, data: TensorData, dims: number[]): string {
    this.claim(name, 'initializer');
    this.initializers.push(tensorProto(name, data, dims));
    return name;
  }

  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attrs: Record<string, AttributeValue> = {},
    name?: string,
  ): this {
    if (outputs.length === 0) throw new OnnxGraphError(`${opType} node needs at least one output`);
    for (const o of outputs) this.claim(o, `output of ${opType}`);
    const attribute = Object.entries(attrs).map(([k, v]) => attributeProto(k, v));
    const [domain, op] = opType.includes('::') ? opType.split('::', 2) : ['', opType];
    this.nodes.push({
      name: name ?? `${op}_${this.nodeCounter}`,
      opType: op,
      domain,
      input: [...inputs],
      output: [...outputs],
      attribute,
    });
    this.nodeCounter++;
    return this;
  }

  /** A fresh tensor name with the given prefix, for intermediate values. */
  uniqueName(prefix = 't'): string {
    let n: string;
    do n = `${prefix}_${this.uniqueCounter++}`;
    while (this.names.has(n));
    return n;
  }

  toModelProto(): P.IModelProto {
    this.validate();
    const opsetImport: P.IOperatorSetIdProto[] = [{ domain: '', version: this.opset }];
    for (const [domain, version] of Object.entries(this.extraOpsets)) opsetImport.push({ domain, version });
    return {
      irVersion: IR_VERSION,
      producerName: this.producerName,
      opsetImport,
      graph: {
        name: this.graphName,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
        node: this.nodes,
      },
    };
  }

  /** The serialised ModelProto, ready for `InferenceSession.create(bytes)` or a `.onnx` file. */
  toBytes(): Uint8Array {
    return onnx.ModelProto.encode(onnx.ModelProto.create(this.toModelProto())).finish();
  }

  private claim(name: string, what: string): void {
    if (!name) throw new OnnxGraphError(`${what} needs a non-empty name`);
    if (this.names.has(name)) throw new OnnxGraphError(`tensor name "${name}" (${what}) is already defined`);
    this.names.add(name);
  }

  private validate(): void {
    if (this.outputs.length === 0) throw new OnnxGraphError('graph has no outputs');
    const defined = new Set<string>([...this.inputs, ...this.initializers].map((v) => v.name as string));
    for (const n of this.nodes) {
      for (const i of n.input ?? []) {
        if (i !== '' && !defined.has(i)) {
          throw new OnnxGraphError(
            `node "${n.name}" (${n.opType}) reads "${i}", which no graph input, initializer or earlier node defines`,
          );
        }
      }
      for (const o of n.output ?? []) defined.add(o);
    }
    for (const o of this.outputs) {
      if (!defined.has(o.name as string)) throw new OnnxGraphError(`graph output "${o.name}" is never produced`);
    }
  }
}
