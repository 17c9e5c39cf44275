import { describe, expect, it } from 'vitest';
import { parsePlacement } from './webgpu-placement';

const prefix = '2026-12-05 08:56:05.385500 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]';

describe('WebGPU placement log', () => {
  it('counts the nodes left to the CPU by operator, and not those on WebGPU', () => {
    const log = [
      '2026-12-05 08:56:05.345299 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements',
      `${prefix}  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3`,
      `${prefix}   Shape (Shape_2)`,
      `${prefix}   MatMulInteger (MatMulInteger_10)`,
      `${prefix}   MatMulInteger (MatMulInteger_18)`,
      `${prefix}  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 2`,
      `${prefix}   Softmax (Softmax_3)`,
      `${prefix}   MatMul (MatMul_4)`,
      'unrelated line   Gather (Gather_1)',
    ];
    expect(parsePlacement(log)).toEqual({ Shape: 1, MatMulInteger: 2 });
  });

  it('finds nothing when every node runs on WebGPU', () => {
    expect(parsePlacement([`${prefix}  All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 40`])).toEqual({});
  });
});
