import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { attr, decodeModel, onnxElemType, OnnxGraphBuilder, OnnxGraphError } from './index';

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

describe('OnnxGraphBuilder', () => {
  it('builds MatMul+Add+Softmax, Gather, Conv, ReduceL2 and float attributes that onnxruntime runs correctly', async () => {
    const g = new OnnxGraphBuilder({ graphName: 'tiny' });
    g.input('x', 'float32', ['batch', 3])
      .input('ids', 'int64', ['batch', 2])
      .input('img', 'float32', [1, 1, 3, 3]);
    const W = g.initializer('W', new Float32Array([1, 2, 0, -1, 0.5, 1]), [3, 2]);
    const b = g.initializer('b', new Float32Array([0.1, -0.2]), [2]);
    const E = g.initializer('E', new Float32Array([0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), [4, 3]);
    const K = g.initializer('K', new Float32Array([1, 0, 0, -1]), [1, 1, 2, 2]);
    const Kb = g.initializer('Kb', new Float32Array([0.5]), [1]);
    g.node('MatMul', ['x', W], ['xw'])
      .node('Add', ['xw', b], ['logits'])
      .node('Softmax', ['logits'], ['probs'], { axis: -1 })
      .node('Gather', [E, 'ids'], ['emb'], { axis: 0 })
      .node('Conv', ['img', K, Kb], ['conv'], { kernel_shape: [2, 2], strides: [1, 1], pads: [0, 0, 0, 0] })
      .node('ReduceL2', ['x'], ['norm'], { axes: [1], keepdims: 0 })
      // alpha = 2 must be a FLOAT attribute: onnxruntime rejects an INT here.
      .node('Gemm', ['x', W, b], ['gemm'], { alpha: attr.float(2), beta: 0.5 })
      .output('probs', 'float32', ['batch', 2])
      .output('emb', 'float32', ['batch', 2, 3])
      .output('conv', 'float32', [1, 1, 2, 2])
      .output('norm', 'float32', ['batch'])
      .output('gemm', 'float32', ['batch', 2]);
    const bytes = g.toBytes();

    const x = [1, 2, 3, -1, 0, 2];
    const out = await run(bytes, {
      x: new ort.Tensor('float32', Float32Array.from(x), [2, 3]),
      ids: new ort.Tensor('int64', BigInt64Array.from([3n, 1n, 0n, 2n]), [2, 2]),
      img: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 1, 3, 3]),
    });

    // x @ W by hand: W rows [1,2], [0,-1], [0.5,1]
    const xw = [
      [1 * 1 + 2 * 0 + 3 * 0.5, 1 * 2 + 2 * -1 + 3 * 1],
      [-1 * 1 + 0 + 2 * 0.5, -1 * 2 + 0 + 2 * 1],
    ];
    const probs = [...softmax([xw[0][0] + 0.1, xw[0][1] - 0.2]), ...softmax([xw[1][0] + 0.1, xw[1][1] - 0.2])];
    expect(Array.from(out.probs.data as Float32Array)).toEqual(probs.map((p) => expect.closeTo(p, 6)));
    expect(out.probs.dims).toEqual([2, 2]);

    // E rows: [0,0,0], [1,2,3], [4,5,6], [7,8,9]; ids [[3,1],[0,2]]
    expect(Array.from(out.emb.data as Float32Array)).toEqual([7, 8, 9, 1, 2, 3, 0, 0, 0, 4, 5, 6]);
    expect(out.emb.dims).toEqual([2, 2, 3]);

    // Conv with kernel [[1,0],[0,-1]]: top-left minus bottom-right of each 2x2 window, plus 0.5.
    expect(Array.from(out.conv.data as Float32Array)).toEqual([1 - 5 + 0.5, 2 - 6 + 0.5, 4 - 8 + 0.5, 5 - 9 + 0.5]);

    expect(Array.from(out.norm.data as Float32Array)).toEqual([Math.sqrt(14), Math.sqrt(5)].map((v) => expect.closeTo(v, 5)));

    const gemm = [2 * xw[0][0] + 0.05, 2 * xw[0][1] - 0.1, 2 * xw[1][0] + 0.05, 2 * xw[1][1] - 0.1];
    expect(Array.from(out.gemm.data as Float32Array)).toEqual(gemm.map((v) => expect.closeTo(v, 5)));
  });

  it('writes symbolic dims, opset and initializers that read back unchanged', () => {
    const g = new OnnxGraphBuilder({ opset: 13, producerName: 'test' });
    g.input('a', 'float32', ['batch', 4]);
    g.initializer('w', new Float32Array(8), [4, 2]);
    g.initializer('i', new Int32Array([1, 2]), [2]);
    g.node('MatMul', ['a', 'w'], ['y']).output('y', 'float32', ['batch', 2]);
    const m = decodeModel(g.toBytes());
    expect(m.opset).toBe(13);
    expect(m.producerName).toBe('test');
    expect(m.inputs).toEqual([{ name: 'a', elemType: 1, shape: ['batch', 4] }]);
    expect(m.outputs[0].shape).toEqual(['batch', 2]);
    expect(m.opTypes).toEqual(['MatMul']);
    expect(m.initializerCount).toBe(2);
    expect(m.parameterCount).toBe(10);
  });

  it('runs a Constant node carrying a tensor attribute and an int64 initializer for Reshape', async () => {
    const g = new OnnxGraphBuilder();
    g.input('a', 'float32', [2, 3]);
    const shape = g.initializer('shape', BigInt64Array.from([3n, 2n]), [2]);
    g.node('Constant', [], ['c'], { value: attr.tensor(new Float32Array([10, 20]), [2]) })
      .node('Reshape', ['a', shape], ['r'])
      .node('Add', ['r', 'c'], ['y'])
      .output('y', 'float32', [3, 2]);
    const out = await run(g.toBytes(), { a: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([11, 22, 13, 24, 15, 26]);
  });

  it('stores uint8 initializers that Cast dequantises', async () => {
    const g = new OnnxGraphBuilder();
    const codes = g.initializer('codes', new Uint8Array([0, 128, 255]), [3]);
    g.node('Cast', [codes], ['f'], { to: onnxElemType('float32') })
      .node('Mul', ['f', g.initializer('scale', new Float32Array([0.5]), [])], ['y'])
      .output('y', 'float32', [3]);
    const out = await run(g.toBytes(), {});
    expect(Array.from(out.y.data as Float32Array)).toEqual([0, 64, 127.5]);
  });

  it('rejects graphs that reference undefined tensors, reuse names or lack outputs', () => {
    const dangling = new OnnxGraphBuilder().input('a', 'float32', [1]).node('Add', ['a', 'nope'], ['y']).output('y', 'float32', [1]);
    expect(() => dangling.toBytes()).toThrow(/reads "nope"/);

    const dup = new OnnxGraphBuilder().input('a', 'float32', [1]);
    expect(() => dup.initializer('a', new Float32Array(1), [1])).toThrow(OnnxGraphError);

    const unproduced = new OnnxGraphBuilder().input('a', 'float32', [1]).output('z', 'float32', [1]);
    expect(() => unproduced.toBytes()).toThrow(/"z" is never produced/);

    expect(() => new OnnxGraphBuilder().initializer('w', new Float32Array(3), [2, 2])).toThrow(/need 4 elements, data has 3/);
  });
});
