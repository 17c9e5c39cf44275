import onnxProto from 'onnx-proto';
import type { OnnxGraphBuilder } from '@clipfed/clip/onnx-writer';

/**
 * Keeps the backbone's weights in the uint8 form nsfwjs ships them in (4x smaller files to
 * download), dequantised inside the graph by Cast -> Mul(scale) -> Add(min). Those nodes read
 * only initializers, so onnxruntime's constant folding turns them into plain float weights when
 * the session is created: inference speed is unchanged.
 *
 * The graph writer's tensors are float32/int32/int64 only, so a uint8 initializer is declared as
 * an empty placeholder and its bytes are put in place when the model is serialised.
 */
export class Uint8Initializers {
  private readonly pending = new Map<string, { codes: Uint8Array; dims: number[] }>();

  constructor(private readonly builder: OnnxGraphBuilder) {}

  /** Adds `codes * scale + min` as a float tensor named `name`; returns `name`. */
  dequantized(name: string, codes: Uint8Array, dims: number[], scale: number, min: number): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (codes.length !== size) throw new RangeError(`uint8 tensor "${name}": dims [${dims}] need ${size} codes, got ${codes.length}`);
    const b = this.builder;
    const raw = b.initializer(`${name}__u8`, new Int32Array(0), [0]);
    this.pending.set(raw, { codes, dims });
    const f = b.uniqueName(`${name}__f`);
    const scaled = b.uniqueName(`${name}__s`);
    b.node('Cast', [raw], [f], { to: onnxProto.onnx.TensorProto.DataType.FLOAT });
    b.node('Mul', [f, b.initializer(`${name}__scale`, new Float32Array([scale]), [])], [scaled]);
    b.node('Add', [scaled, b.initializer(`${name}__min`, new Float32Array([min]), [])], [name]);
    return name;
  }

  /** Serialises the builder's model with the uint8 tensors filled in. */
  toBytes(): Uint8Array {
    const model = this.builder.toModelProto();
    let filled = 0;
    for (const t of model.graph?.initializer ?? []) {
      const p = this.pending.get(t.name as string);
      if (!p) continue;
      t.dims = [...p.dims];
      t.dataType = onnxProto.onnx.TensorProto.DataType.UINT8;
      t.rawData = p.codes.slice();
      filled++;
    }
    if (filled !== this.pending.size) throw new Error(`only ${filled} of ${this.pending.size} uint8 initializers were found in the model`);
    return onnxProto.onnx.ModelProto.encode(onnxProto.onnx.ModelProto.create(model)).finish();
  }
}
